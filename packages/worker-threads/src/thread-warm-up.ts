import http from 'node:http'
import { MessageChannel } from 'node:worker_threads'
import { ThreadConnection } from './thread-connection.js'
import { ThreadExchange } from './thread-exchange.js'

/**
 * One request through the path every request will travel (see ThreadExchange), to a server that
 * answers it without the app: node loads and compiles that path's internals now, while the pool
 * starts, not on the first requests a new worker is handed (which its siblings would take over if
 * it stalled).
 */
export async function warmUp(): Promise<void> {
  const server = http.createServer((req, res) => req.resume().once('end', () => res.end('ok')))
  const { port1, port2 } = new MessageChannel()
  const head = { method: 'POST', url: '/', httpVersion: '1.1', rawHeaders: ['Transfer-Encoding', 'chunked'], bodyless: false, encrypted: false }
  const addresses = { remoteAddress: undefined, remotePort: undefined, remoteFamily: undefined, localAddress: undefined, localPort: undefined }
  const exchange = new ThreadExchange({ id: 0, head: { ...head, ...addresses } }, new ThreadConnection(server), port1, new Map())
  const done = exchange.run()
  exchange.onMessage({ t: 'data', b: new Uint8Array([111, 107]).buffer })
  exchange.onMessage({ t: 'end' })
  await done
  port1.close()
  port2.close()
  server.close()
}
