import type { AccessLog } from '../log/access-log.js'
import type { Logger } from '../log/logger.js'
import type { Hooks } from '../settings/types.js'
import { EXIT_FAILURE, EXIT_OK } from '../arbiter/exit-codes.js'
import { runHookSync } from '../arbiter/hook-runner.js'
import type { Runtime } from './runtime.js'

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
  const runHook = (name: 'workerInt' | 'workerAbort') => runHookSync(hooks, log, name, runtime.info)

  process.on('SIGTERM', graceful)
  process.on('SIGHUP', graceful)
  for (const signal of ['SIGINT', 'SIGQUIT'] as const) {
    process.on(signal, () => {
      runHook('workerInt')
      runtime.stop('quick')
      process.exit(EXIT_OK)
    })
  }
  process.on('SIGABRT', () => {
    runtime.reportAbort()
    runHook('workerAbort')
    process.exit(EXIT_FAILURE)
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
