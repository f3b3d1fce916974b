// A pool thread: loads the app once, reports that on the pool's channel, then serves one request
// per piscina task.
import type { Server } from 'node:http'
import { BroadcastChannel, threadId, workerData } from 'node:worker_threads'
import { type App, AppLoadError, configureProxyTrust, loadApp, takesUpgrades } from '@gu/core'
import type { LoadReport, Task, ThreadData } from './protocol.js'
import { ThreadExchange } from './thread-exchange.js'
import { createThreadServer } from './thread-server.js'

const data = workerData as ThreadData
configureProxyTrust(data.proxyTrust)
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

const channel = new BroadcastChannel(data.channel)
server.then(
  () => report({ threadId, ok: true }),
  (error: Error & { code?: string }) => report({ threadId, ok: false, message: error?.message ?? String(error), code: error?.code }),
)

function report(message: LoadReport): void {
  channel.postMessage(message)
  channel.close()
}

export default async function serve(task: Task): Promise<void> {
  return new ThreadExchange(task, await server).run()
}
