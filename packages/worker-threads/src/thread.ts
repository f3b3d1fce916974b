// A pool thread: loads the app once, reports that on the pool's channel, then serves one request
// per piscina task.
import type { Server } from 'node:http'
import { BroadcastChannel, threadId, workerData } from 'node:worker_threads'
import { configureProxyTrust, loadApp } from '@gu/core'
import type { LoadReport, Task, ThreadData } from './protocol.js'
import { ThreadExchange } from './thread-exchange.js'
import { createThreadServer } from './thread-server.js'

const data = workerData as ThreadData
configureProxyTrust(data.proxyTrust)
const server: Promise<Server> = loadApp(data.appSource).then(({ app }) => createThreadServer(app))

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
