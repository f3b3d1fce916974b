import type { ErrorLogPlan } from '../log/log-plan.js'
/** The shared memory between a worker's main thread and its request watchdog thread. */
export const WATCHDOG_LAYOUT = {
  /**
   * Int32 slots: a sequence number (odd while a request runs), the URL's length in bytes, the
   * sequence already reported, and the method (its index in node:http's METHODS, -1 if not there).
   */
  seq: 0,
  length: 1,
  reported: 2,
  method: 3,
  startOffset: 16,
  urlOffset: 24,
  urlBytes: 1024,
  bytes: 24 + 1024,
} as const

/** The request line (`GET /path`) of the request in shared memory; `methods` is node:http's METHODS. */
export function readRequestLine(state: Int32Array, url: Uint8Array, methods: readonly string[]): string {
  const method = methods[Atomics.load(state, WATCHDOG_LAYOUT.method)] ?? '?'
  return `${method} ${new TextDecoder().decode(url.slice(0, Atomics.load(state, WATCHDOG_LAYOUT.length)))}`
}

export interface WatchdogData {
  shared: SharedArrayBuffer
  /** node:http's METHODS, which the `method` slot indexes (so the thread needn't load node:http). */
  methods: readonly string[]
  timeoutMs: number
  /** The error log's format and destinations, so an overrun is logged as every other line. */
  errorlog: ErrorLogPlan
  pid: number
}
