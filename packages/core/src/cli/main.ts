import { appSource } from '../app/app-source.js'
import { loadApp } from '../app/load-app.js'
import { AppLoadError } from '../app/types.js'
import { Arbiter } from '../arbiter/arbiter.js'
import { attachOperatorTools } from '../arbiter/operator-tools.js'
import { APP_LOAD_ERROR, EXIT_FAILURE, EXIT_OK } from '../arbiter/exit-codes.js'
import { captureOutput } from '../log/capture-output.js'
import { Logger } from '../log/logger.js'
import { openLogPlan } from '../log/open-log-plan.js'
import { UsageError } from '../settings/errors.js'
import { plainSettings, resolveSettings } from '../settings/resolve.js'
import { takeSocketActivation } from '../settings/socket-activation.js'
import type { Settings } from '../settings/types.js'
import { VERSION } from '../version.js'
import { readTlsMaterial } from '../tls/tls-material.js'
import { checkWorkerClass } from '../worker/check-worker-class.js'
import { loadWorkerClass } from '../worker/resolve-worker-class.js'
import { helpText } from './help.js'

/** The `gu` command: returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  // `gu ctl …` talks to a running arbiter; loaded only then.
  if (argv[0] === 'ctl') return (await import('../control/ctl.js')).ctlMain(argv.slice(1))
  let debug = argv.includes('debug')
  try {
    takeSocketActivation()
    const resolved = await resolveSettings(argv)
    if (resolved.help) return print(helpText())
    if (resolved.version) return print(`gu (version ${VERSION})`)
    const settings = resolved.settings
    debug = settings.loglevel === 'debug'
    applyRawEnv(settings.rawEnv)
    if (settings.printConfig) return print(JSON.stringify(withoutSecrets(plainSettings(settings)), null, 2))
    if (!settings.app) throw new UsageError("no APP_MODULE given: run 'gu [OPTIONS] module:export', e.g. 'gu app.js:app'")
    changeDirectory(settings.chdir)
    const workerClass = await loadWorkerClass(settings.workerClass, settings.chdir)
    checkWorkerClass(workerClass, settings)
    // Missing, unreadable or mismatched certificate files: one line, before anything starts.
    const tls = readTlsMaterial(settings)
    // A log config or log file that won't do is a settings error: --check-config reports it too.
    const logPlan = await openLogPlan(settings)
    if (settings.checkConfig || settings.preloadApp) {
      const code = await checkApp(settings)
      if (code !== EXIT_OK || settings.checkConfig) return code
    }
    const log = new Logger(logPlan.error)
    if (settings.captureOutput) captureOutput(log)
    const arbiter = new Arbiter({ settings, log, logPlan, workerClass, argv, tls })
    attachOperatorTools(arbiter, settings, log)
    return await arbiter.run()
  } catch (error) {
    if (error instanceof UsageError) return fail(error.message, error.exitCode, debug ? error : undefined)
    return fail(`unexpected error: ${(error as Error)?.message ?? error}`, EXIT_FAILURE, error)
  }
}

/** Loads the app once in this process: for --check-config, and as the --preload gate. */
async function checkApp(settings: Settings): Promise<number> {
  try {
    await loadApp(appSource(settings))
    return EXIT_OK
  } catch (error) {
    if (!(error instanceof AppLoadError)) throw error
    // --check-config reports any fault as 1; a failing --preload halts as a worker would, with 4.
    return fail(`failed to load the app: ${error.message}`, settings.checkConfig ? EXIT_FAILURE : APP_LOAD_ERROR)
  }
}

/** What --print-config shows: a key passphrase is said to be set, never printed. */
function withoutSecrets(plain: ReturnType<typeof plainSettings>): Record<string, unknown> {
  return plain.keyPassphrase === null ? plain : { ...plain, keyPassphrase: '(set)' }
}

function applyRawEnv(rawEnv: readonly string[]): void {
  for (const pair of rawEnv) {
    const eq = pair.indexOf('=')
    process.env[pair.slice(0, eq)] = pair.slice(eq + 1)
  }
}

function changeDirectory(dir: string): void {
  try {
    process.chdir(dir)
  } catch (error) {
    throw new UsageError(`--chdir: cannot change to ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
  }
}

function print(text: string): number {
  process.stdout.write(`${text}\n`)
  return EXIT_OK
}

function fail(message: string, code: number, error?: unknown): number {
  process.stderr.write(`gu: error: ${message}\n`)
  if (error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`)
  return code
}
