import type { AccessLog } from '../log/access-log.js'
import type { Logger } from '../log/logger.js'
import type { Hooks } from '../settings/types.js'
import { EXIT_FAILURE, EXIT_OK } from '../arbiter/exit-codes.js'
import { runHookWithin } from '../arbiter/hook-runner.js'
import type { Runtime } from './runtime.js'

/** The arbiter SIGKILLs an aborted worker at its next check, at most a second later. */
const ABORT_HOOK_MS = 1000

interface SignalContext {
  log: Logger
  accessLog: AccessLog | undefined
  hooks: Hooks
}

/**
 * A worker's signals, as Gunicorn's: TERM (and HUP) stop gracefully within graceful-timeout,
 * INT and QUIT stop at once, ABRT aborts, USR1 reopens the logs, WINCH is ignored.
 */
export function installWorkerSignals(runtime: Runtime, { log, accessLog, hooks }: SignalContext): void {
  const graceful = () => {
    if (runtime.stopMode) return
    runtime.stop('graceful')
    const limit = setTimeout(() => {
      log.warning(`Graceful stop took longer than ${runtime.settings.gracefulTimeout}s; exiting with requests in flight`)
      process.exit(EXIT_FAILURE)
    }, runtime.settings.gracefulTimeout * 1000)
    limit.unref()
  }
  // Each hook is awaited, within a limit: the arbiter's SIGKILL comes after it either way.
  let exiting = false
  const exitAfter = async (name: 'workerInt' | 'workerAbort', limitMs: number, code: number) => {
    if (exiting) return
    exiting = true
    await runHookWithin(hooks, log, name, limitMs, runtime.info)
    await Promise.all([log.flush(), accessLog?.flush()])
    process.exit(code)
  }

  process.on('SIGTERM', graceful)
  process.on('SIGHUP', graceful)
  for (const signal of ['SIGINT', 'SIGQUIT'] as const) {
    process.on(signal, () => {
      runtime.stop('quick')
      void exitAfter('workerInt', runtime.settings.gracefulTimeout * 1000, EXIT_OK)
    })
  }
  process.on('SIGABRT', () => {
    runtime.reportAbort()
    void exitAfter('workerAbort', ABORT_HOOK_MS, EXIT_FAILURE)
  })
  process.on('SIGUSR1', () => {
    log.reopen()
    accessLog?.reopen()
  })
  process.on('SIGWINCH', () => {})
  // The arbiter going away (its IPC channel closing) means nobody supervises us: stop.
  process.on('disconnect', graceful)

  const crashed = (kind: string) => (error: unknown) => {
    log.error(`${kind} in worker; stopping it gracefully so its requests can finish`, error)
    process.exitCode = EXIT_FAILURE
    graceful()
  }
  process.on('uncaughtException', crashed('Uncaught exception'))
  process.on('unhandledRejection', crashed('Unhandled rejection'))
}
