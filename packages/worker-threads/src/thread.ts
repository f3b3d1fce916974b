// A pool thread: loads the app once, reports that (with its port) to the main thread, then
// serves one request per piscina task.
import { MessageChannel, parentPort, threadId, workerData } from 'node:worker_threads'
import { type App, AppLoadError, AppSignalHandlers, appMetricsReader, configureProxyTrust, LoadedFiles, loadApp, stopApp, takesUpgrades } from '@gu/core'
import type { AppStop, FromThread, LoadReport, Task, ThreadData, ThreadFiles, ThreadMetrics, ToThreadMessage } from './protocol.js'
import { RequestBoard } from './request-board.js'
import { ThreadConnection } from './thread-connection.js'
import { ThreadExchange } from './thread-exchange.js'
import { createThreadServer } from './thread-server.js'
import { warmUp } from './thread-warm-up.js'

const data = workerData as ThreadData
configureProxyTrust(data.proxyTrust)
const board = new RequestBoard(data.board)
// --reload: module hooks of the main thread don't see a thread's imports, so each thread notes its own.
const loadedFiles = data.reload ? new LoadedFiles() : undefined
// The app's process.on('SIGTERM', …) handlers: no signal reaches a thread, so they run when the worker stops gracefully.
const appSignals = new AppSignalHandlers()
let loaded: App | undefined
const connection: Promise<ThreadConnection> = loadApp(data.appSource).then(async ({ app, file }) => {
  loadedFiles?.add(file)
  refuseWebSockets(app)
  // Each thread holds its own instance of the app: each runs its startup before serving.
  await startApp(app)
  appSignals.take({ warning: () => {} }, false)
  loaded = app
  await warmUp()
  return new ThreadConnection(createThreadServer(app))
})

async function startApp(app: App): Promise<void> {
  try {
    await app.startup?.()
  } catch (error) {
    throw new AppLoadError(`the app's startup() failed: ${(error as Error)?.message ?? error}`)
  }
}

/** A WebSocket would pin a pool thread for as long as it stays open: refuse such an app at start. */
function refuseWebSockets(app: App): void {
  if (!takesUpgrades(app)) return
  const what = app.interface === 'node' ? "an 'upgrade' listener" : "'websocket' handlers"
  throw new AppLoadError(`${app.description} takes WebSockets (${what}), which the threads worker class can't hold (each would pin a pool thread): serve it with -k async`)
}

// This thread's one channel with the main thread: every request's exchange travels on it, by id.
const { port1: port, port2: mainEnd } = new MessageChannel()
const exchanges = new Map<number, ThreadExchange>()
const readMetrics = appMetricsReader(data.chdir)
port.on('message', (message: ToThreadMessage | AppStop | ThreadMetrics) => {
  if (!('gu' in message)) return exchanges.get(message.id)?.onMessage(message)
  if (message.gu === 'stop') return void stopThisApp().then((errors) => port.postMessage({ gu: 'stopped', errors } satisfies AppStop))
  if (message.gu === 'metrics') {
    const answer = (metrics: unknown[]) => port.postMessage({ gu: 'metrics', n: message.n, metrics } satisfies ThreadMetrics)
    readMetrics().then(answer, () => answer([]))
  }
})
port.unref()

connection.then(
  () => {
    report({ gu: 'loaded', threadId, port: mainEnd }, [mainEnd])
    // Queued on the port until the main thread has it; later imports follow in batches.
    loadedFiles?.reportTo((files) => port.postMessage({ gu: 'files', files } satisfies ThreadFiles))
  },
  (error: Error & { code?: string }) => report({ gu: 'failed', threadId, message: error?.message ?? String(error), code: error?.code }),
)

/**
 * The worker stops gracefully and its requests are done: this thread's instance of the app runs
 * its `shutdown`, then its SIGTERM handlers (which may end the thread: the main thread sees its
 * port close). What failed is told to the main thread, which logs it.
 */
async function stopThisApp(): Promise<string[]> {
  const errors: string[] = []
  const log = { error: (message: string, error?: unknown) => void errors.push(`${message} (thread ${threadId}): ${(error as Error)?.stack ?? error}`) }
  await stopApp(loaded, log)
  await appSignals.run(log)
  return errors
}

function report(message: LoadReport, transfer: MessageChannel['port2'][] = []): void {
  parentPort!.postMessage(message, transfer)
}

/** One request; resolves with the response when it fits one batch (see ThreadExchange.run). */
export default async function serve(task: Task): Promise<FromThread[] | undefined> {
  const kept = await connection
  // The client left while this request waited in the queue.
  if (!board.begin(task.id)) return undefined
  return new ThreadExchange(task, kept, port, exchanges).run()
}
