import { Server as NetServer } from 'node:net'
import { type App, AppLoadError } from '../app/types.js'
import type { Logger } from '../log/logger.js'

type Listener = (...args: unknown[]) => unknown

/** Awaits the app's `startup` before the worker reports ready; a failure is a load error (exit 4). */
export async function startApp(app: App): Promise<void> {
  if (!app.startup) return
  try {
    await app.startup()
  } catch (error) {
    throw new AppLoadError(`the app's startup() failed: ${(error as Error)?.message ?? error}`)
  }
}

/** Awaits the app's `shutdown` (or Fastify's `close()`) once requests have drained; a failure is logged. */
export async function stopApp(app: App | undefined, log: Pick<Logger, 'error'>): Promise<void> {
  if (!app?.shutdown) return
  try {
    await app.shutdown()
  } catch (error) {
    log.error("The app's shutdown failed", error)
  }
}

/**
 * The app's own `process.on('SIGTERM', …)` handlers, taken off the signal while it loads: run on
 * TERM, a handler like `async () => { await app.close(); process.exit(0) }` would exit with
 * requests in flight. gu calls them after its graceful stop instead, and says so once.
 */
export class AppSignalHandlers {
  readonly #before: Set<Listener>
  #taken: Listener[] = []

  constructor() {
    this.#before = new Set(process.listeners('SIGTERM') as Listener[])
  }

  /** After the app loaded: takes the handlers it added. */
  take(log: Pick<Logger, 'warning'>, warn: boolean): void {
    this.#taken = (process.listeners('SIGTERM') as Listener[]).filter((listener) => !this.#before.has(listener))
    for (const listener of this.#taken) process.off('SIGTERM', listener as NodeJS.SignalsListener)
    if (this.#taken.length > 0 && warn) {
      log.warning(
        "The app handles SIGTERM itself (process.on('SIGTERM', …)); under gu that would exit with requests in flight, so gu runs it after they have finished. Export a shutdown() function beside the app instead: gu awaits it on a graceful stop",
      )
    }
  }

  /** After the graceful stop: the app's handlers, as TERM would have run them (they may exit). */
  async run(log: Pick<Logger, 'error'>): Promise<void> {
    for (const listener of this.#taken) {
      try {
        await listener('SIGTERM')
      } catch (error) {
        log.error("The app's SIGTERM handler failed", error)
      }
    }
  }
}

/**
 * Notes servers the app makes listen by itself while it loads (a module-level `app.listen(3000)`
 * runs in every worker, on a port gu doesn't manage), and warns once for each.
 */
export class OwnListenWatch {
  readonly #listen = NetServer.prototype.listen
  readonly #ports: string[] = []

  constructor(log: Logger, warn: boolean) {
    const original = this.#listen
    const ports = this.#ports
    NetServer.prototype.listen = function (this: NetServer, ...args: unknown[]) {
      this.once('listening', () => {
        const address = this.address()
        const where = typeof address === 'string' ? address : address ? `port ${address.port}` : 'a socket'
        ports.push(where)
        if (warn) {
          log.warning(
            `The app listens on ${where} itself: that listen() call runs in every worker, outside gu's control (gu serves the app on --bind). Remove it, or run it only when the file is started directly (if (require.main === module) in CommonJS; compare process.argv[1] with import.meta.filename in ES modules)`,
          )
        }
      })
      return (original as (...a: unknown[]) => NetServer).apply(this, args)
    } as typeof original
  }

  /** Puts `listen` back: gu's own engines listen after this. */
  stop(): void {
    NetServer.prototype.listen = this.#listen
  }
}
