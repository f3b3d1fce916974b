/** The shared memory between a worker's main thread and its request watchdog thread. */
export const WATCHDOG_LAYOUT = {
  /** Int32 slots: a sequence number (odd while a request runs), the line's length, and the sequence already reported. */
  seq: 0,
  length: 1,
  reported: 2,
  startOffset: 16,
  lineOffset: 24,
  lineBytes: 1024,
  bytes: 24 + 1024,
} as const

export interface WatchdogData {
  shared: SharedArrayBuffer
  timeoutMs: number
  /** The error log: `-` for standard error, or a file path. */
  errorlog: string
  pid: number
}
