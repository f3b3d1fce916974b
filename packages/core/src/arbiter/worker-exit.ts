import type { WorkerRecord } from './worker-process.js'

export interface ExitReport {
  readonly level: 'error' | 'warning'
  readonly message: string
}

/**
 * The log line for a worker that exited without being asked to, or undefined when there is
 * nothing to say. A worker the arbiter aborted for its timeout is named as such, whatever ended
 * it (its SIGABRT handler's exit, or the SIGKILL that followed when its event loop could not
 * run that handler); the out-of-memory hint is kept for a SIGKILL the arbiter never sent.
 */
export function describeWorkerExit(record: Pick<WorkerRecord, 'pid' | 'stopping' | 'aborted'>, code: number | null, signal: NodeJS.Signals | null, timeout: number): ExitReport | undefined {
  const who = `Worker (pid:${record.pid})`
  if (record.aborted) {
    const how = signal === 'SIGKILL' ? 'was killed with SIGKILL: SIGABRT did not stop it' : signal ? `ended on ${signal}` : `exited with code ${code} on SIGABRT`
    return { level: 'error', message: `${who} ${how}, after it missed its ${timeout}s --timeout (the arbiter killed it; see WORKER TIMEOUT above)` }
  }
  if (signal === 'SIGKILL' && !record.stopping) return { level: 'error', message: `${who} was sent SIGKILL! Perhaps out of memory? (the arbiter did not send it)` }
  if (signal) return { level: 'warning', message: `${who} was sent ${signal}!` }
  if (code !== 0 && !record.stopping) return { level: 'error', message: `${who} exited with code ${code}` }
  return undefined
}
