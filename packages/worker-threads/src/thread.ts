// A pool thread: loads the app once, reports that (with its port) to the main thread, then
// serves one request per piscina task.
import type { Server } from 'node:http'
import { MessageChannel, parentPort, threadId, workerData } from 'node:worker_threads'
import { type App, AppLoadError, configureProxyTrust, loadApp, takesUpgrades } from '@gu/core'
import type { LoadReport, Task, ThreadData, ToThreadMessage } from './protocol.js'
import { RequestBoard } from './request-board.js'
import { ThreadExchange } from './thread-exchange.js'
import { createThreadServer } from './thread-server.js'

const data = workerData as ThreadData
configureProxyTrust(data.proxyTrust)
const board = new RequestBoard(data.board)
const server: Promise<Server> = loadApp(data.appSource).then(async ({ app }) => {
  refuseWebSockets(app)
  // Each thread holds its own instance of the app: each runs its startup before serving.
  await startApp(app)
  return createThreadServer(app)
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
port.on('message', (message: ToThreadMessage) => exchanges.get(message.id)?.onMessage(message))
port.unref()

server.then(
  () => report({ gu: 'loaded', threadId, port: mainEnd }, [mainEnd]),
  (error: Error & { code?: string }) => report({ gu: 'failed', threadId, message: error?.message ?? String(error), code: error?.code }),
)

function report(message: LoadReport, transfer: MessageChannel['port2'][] = []): void {
  parentPort!.postMessage(message, transfer)
}

export default async function serve(task: Task): Promise<void> {
  const app = await server
  // The client left while this request waited in the queue.
  if (!board.begin(task.id)) return
  return new ThreadExchange(task, app, port, exchanges).run()
}
