import type { ErrorLogPlan } from '../log/log-plan.js'
import type { PlainSettings } from '../settings/types.js'
import { RequestWatchdog } from './request-watchdog.js'
import type { TimeoutScope } from './types.js'

/**
 * The worker's side of `timeout`. In `loop` scope, a heartbeat goes out on a timer for as long as
 * the event loop turns. In `request` scope (Gunicorn's sync worker), heartbeats go out only
 * between requests, so a request that runs past `timeout` silences the worker and the arbiter
 * aborts it; a watchdog thread names that request in the error log.
 */
export class Heartbeat {
  readonly #notify: () => void
  readonly #scope: TimeoutScope
  readonly #everyMs: number
  readonly #watchdog: RequestWatchdog | undefined
  #timer: NodeJS.Timeout | undefined
  #busy = 0
  /** A beat fell due while a request ran: send it when the request ends. */
  #due = false

  constructor(notify: () => void, settings: PlainSettings, scope: TimeoutScope, errorlog: ErrorLogPlan) {
    this.#notify = notify
    this.#scope = scope
    const timeoutMs = settings.timeout * 1000
    // Request scope beats more often: a request may start up to one interval after the last beat.
    this.#everyMs = Math.min(1000, Math.max(10, timeoutMs / (scope === 'request' ? 10 : 4)))
    this.#watchdog = scope === 'request' && timeoutMs > 0 ? new RequestWatchdog({ timeoutMs, errorlog, pid: process.pid }) : undefined
    if (timeoutMs <= 0) this.#everyMs = 0
  }

  start(): void {
    if (!this.#everyMs || this.#timer) return
    this.#timer = setInterval(() => this.#tick(), this.#everyMs)
    this.#timer.unref()
  }

  stop(): void {
    clearInterval(this.#timer)
  }

  requestStarted(request: { readonly method: string; readonly url: string }): void {
    if (this.#scope !== 'request') return
    this.#busy++
    this.#watchdog?.begin(request.method, request.url)
  }

  requestFinished(): void {
    if (this.#scope !== 'request') return
    this.#busy--
    this.#watchdog?.end()
    if (this.#due && this.#busy === 0) {
      this.#due = false
      this.#notify()
    }
  }

  /** A heartbeat went out: in request scope, a request in progress gets `timeout` from now. */
  renewed(): void {
    if (this.#busy > 0) this.#watchdog?.restart()
  }

  /** On SIGABRT: the request being cut, unless the watchdog already named it. */
  cutRequest(): { line: string; elapsedMs: number } | undefined {
    return this.#watchdog?.claimReport()
  }

  #tick(): void {
    if (this.#busy > 0) this.#due = true
    else this.#notify()
  }
}
