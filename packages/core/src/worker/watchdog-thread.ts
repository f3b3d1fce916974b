// The request watchdog's thread (see request-watchdog.ts). It polls shared memory and, once the
// request in progress has run past the timeout, writes one error-log line naming it — with
// synchronous writes, because the main thread (which relays a thread's stdio) may be blocked.
import { appendFileSync, writeSync } from 'node:fs'
import { workerData } from 'node:worker_threads'
import { errorLine } from '../log/error-line.js'
import { WATCHDOG_LAYOUT, type WatchdogData, readRequestLine } from './watchdog-layout.js'

const { shared, methods, timeoutMs, errorlog } = workerData as WatchdogData
const state = new Int32Array(shared, 0, 4)
const start = new Float64Array(shared, WATCHDOG_LAYOUT.startOffset, 1)
const url = new Uint8Array(shared, WATCHDOG_LAYOUT.urlOffset, WATCHDOG_LAYOUT.urlBytes)
const sleeper = new Int32Array(new SharedArrayBuffer(4))
const POLL_MS = Math.min(100, Math.max(10, timeoutMs / 20))

function write(message: string): void {
  const line = errorLine(errorlog.format, 'error', message)
  for (const to of new Set(errorlog.to)) {
    try {
      if (to === '-' || to === 'stderr') writeSync(2, line)
      else if (to === 'stdout') writeSync(1, line)
      else appendFileSync(to, line)
    } catch {
      // The main thread's log reports a destination that fails; this line just doesn't reach it.
    }
  }
}

for (;;) {
  Atomics.wait(sleeper, 0, 0, POLL_MS)
  const seq = Atomics.load(state, WATCHDOG_LAYOUT.seq)
  if (seq % 2 === 0) continue
  const elapsed = Date.now() - start[0]!
  const reported = Atomics.load(state, WATCHDOG_LAYOUT.reported)
  if (elapsed <= timeoutMs || reported === seq) continue
  if (Atomics.compareExchange(state, WATCHDOG_LAYOUT.reported, reported, seq) !== reported) continue
  const request = readRequestLine(state, url, methods)
  // The request ended (and another may have begun) while we read: not the one that overran.
  if (Atomics.load(state, WATCHDOG_LAYOUT.seq) !== seq) continue
  write(`Request '${request}' has run ${(elapsed / 1000).toFixed(1)}s, past the ${timeoutMs / 1000}s timeout: the worker will be aborted and the request cut`)
}
