import { METHODS } from 'node:http'

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

const METHOD_CODES = new Map(METHODS.map((method, i) => [method, i]))

/** A request method as stored in the `method` slot (a number: no string is built per request). */
export function methodCode(method: string | undefined): number {
  return METHOD_CODES.get(method ?? '') ?? -1
}

/** The request line (`GET /path`) of the request in shared memory. */
export function readRequestLine(state: Int32Array, url: Uint8Array): string {
  const method = METHODS[Atomics.load(state, WATCHDOG_LAYOUT.method)] ?? '?'
  return `${method} ${new TextDecoder().decode(url.slice(0, Atomics.load(state, WATCHDOG_LAYOUT.length)))}`
}

export interface WatchdogData {
  shared: SharedArrayBuffer
  timeoutMs: number
  /** The error log: `-` for standard error, or a file path. */
  errorlog: string
  pid: number
}
