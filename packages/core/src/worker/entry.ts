import { appSource } from '../app/app-source.js'
import { loadApp } from '../app/load-app.js'
import { type App, AppLoadError, isAppLoadError } from '../app/types.js'
import { APP_LOAD_ERROR, EXIT_FAILURE, EXIT_OK, WORKER_BOOT_ERROR } from '../arbiter/exit-codes.js'
import { AccessLog } from '../log/access-log.js'
import { captureOutput } from '../log/capture-output.js'
import { Logger } from '../log/logger.js'
import { loadConfigFile } from '../settings/config-file.js'
import type { Hooks, Settings } from '../settings/types.js'
import { WORKER_BOOT_ENV, type WorkerBoot, type WorkerMessage } from './messages.js'
import { LoadedFiles } from './loaded-files.js'
import { answerAppMetrics } from './app-metrics.js'
import { loadWorkerClass } from './resolve-worker-class.js'
import { runHookWithin } from '../arbiter/hook-runner.js'
import { AppSignalHandlers, OwnListenWatch, startApp, stopApp } from './app-lifecycle.js'
import { Runtime } from './runtime.js'
import { installWorkerSignals } from './worker-signals.js'

/** A worker process: load hooks, the worker class and the app, then serve until told to stop. */
async function main(): Promise<void> {
  const boot = JSON.parse(process.env[WORKER_BOOT_ENV] ?? 'null') as WorkerBoot | null
  if (!boot || !process.send) {
    process.stderr.write('gu: this is gu\'s worker process; start servers with the gu command\n')
    process.exit(EXIT_FAILURE)
  }
  delete process.env[WORKER_BOOT_ENV]
  const plain = boot.settings
  process.title = `gu: worker [${plain.procName ?? plain.app}]`
  const log = new Logger(boot.log.error)
  // Before hooks and the app load: what they print at import time is captured too.
  if (plain.captureOutput) captureOutput(log)
  const send = (message: WorkerMessage) => process.send?.(message)
  const sendAndWait = (message: WorkerMessage) => new Promise<void>((resolve) => (process.send?.(message, undefined, undefined, () => resolve()) ?? resolve()))

  const exitWith = async (code: number, message: string, error?: unknown) => {
    log.error(message, error)
    await log.flush()
    process.exit(code)
  }

  let hooks: Hooks = {}
  let settings: Settings = plain
  let workerClass
  try {
    // The arbiter resolved which config file it loaded (an absolute path, or none): load the same one.
    hooks = plain.config ? (await loadConfigFile(plain.config)).hooks : {}
    settings = { ...plain, ...hooks }
    const info = { pid: process.pid, age: boot.age }
    await hooks.postFork?.({ pid: process.ppid, settings, numWorkers: plain.workers }, info)
    workerClass = await loadWorkerClass(plain.workerClass, plain.chdir)
  } catch (error) {
    return exitWith(WORKER_BOOT_ERROR, `Worker failed to boot: ${(error as Error).message}`)
  }

  // --reload: note every file the app loads, so the arbiter can watch them.
  const loadedFiles = plain.reload ? new LoadedFiles() : undefined
  const source = appSource(plain)
  let app: App | undefined
  const firstWorker = boot.age === 1
  const appSignals = new AppSignalHandlers()
  // A class that runs the app elsewhere (threads) loads it there, itself.
  if (!workerClass.loadsApp) {
    const ownListen = new OwnListenWatch(log, firstWorker)
    try {
      const loaded = await loadApp(source)
      app = loaded.app
      loadedFiles?.add(loaded.file)
      await startApp(app)
    } catch (error) {
      // A file that failed to load is watched too, so fixing it reloads (Gunicorn does the same).
      if (loadedFiles) await sendAndWait({ type: 'loaded-files', files: await loadedFiles.flush() })
      return exitWith(APP_LOAD_ERROR, `Failed to load the app: ${describeAppError(error)}`, error instanceof AppLoadError ? undefined : error)
    } finally {
      ownListen.stop()
    }
  }
  appSignals.take(log, firstWorker)
  loadedFiles?.reportTo((files) => send({ type: 'loaded-files', files }))

  const accessLog = boot.log.access ? new AccessLog(boot.log.access) : undefined
  const timeoutScope = workerClass.timeout ?? 'loop'
  const runtime = new Runtime({
    age: boot.age,
    settings,
    app,
    appSource: source,
    sockets: boot.sockets,
    tls: boot.tls,
    boardSeat: boot.board,
    log,
    accessLog,
    send,
    timeoutScope,
    selfBinding: workerClass.sockets === 'self',
  })
  installWorkerSignals(runtime, { log, accessLog, hooks })
  // Always: the arbiter's endpoint (read at its start) may outlive a reload that drops --metrics-bind.
  answerAppMetrics(plain.chdir, log, send, () => runtime.appMetrics)

  try {
    await hooks.postWorkerInit?.(runtime.info)
  } catch (error) {
    return exitWith(WORKER_BOOT_ERROR, 'Worker failed to boot: postWorkerInit hook threw', error)
  }

  log.info(`Booting worker with pid: ${process.pid}`)
  let exitCode: number = EXIT_OK
  try {
    await workerClass.run(runtime)
  } catch (error) {
    if (isAppLoadError(error) && !runtime.booted) return exitWith(APP_LOAD_ERROR, `Failed to load the app: ${describeAppError(error)}`)
    log.error(`Worker class '${workerClass.name}' failed`, error)
    exitCode = runtime.booted ? EXIT_FAILURE : WORKER_BOOT_ERROR
  }
  // A quick stop exits from its signal handler, once the workerInt hook has run.
  if (runtime.stopMode === 'quick') return
  // Requests have drained: the app's own shutdown next, then the hook; the graceful-timeout
  // timer (worker-signals) still bounds both.
  if (runtime.stopMode === 'graceful') await stopApp(app, log)
  runtime.stopHeartbeat()
  await runHookWithin(hooks, log, 'workerExit', runtime.timeLeftMs(), runtime.info)
  log.info(`Worker exiting (pid: ${process.pid})`)
  await Promise.all([log.flush(), accessLog?.flush()])
  if (runtime.stopMode === 'graceful') await appSignals.run(log)
  process.exit(process.exitCode ?? exitCode)
}

function describeAppError(error: unknown): string {
  return isAppLoadError(error) ? error.message : `${(error as Error)?.message ?? error}`
}

void main()
