import http from 'node:http'
import { duplexPair } from './duplex-pair.js'

/**
 * One request through node's HTTP client and server on a socket pair, as every request will
 * travel (see ThreadExchange), to a server that answers it without the app: node loads and
 * compiles that path's internals now, while the pool starts, not on the first requests a new
 * worker is handed (which its siblings would take over if it stalled).
 */
export function warmUp(): Promise<void> {
  return new Promise((resolve) => {
    const server = http.createServer((_req, res) => res.end('ok'))
    const [client, serverEnd] = duplexPair()
    server.emit('connection', serverEnd)
    const request = http.request({ method: 'POST', path: '/', headers: { 'content-length': '2' }, createConnection: () => client as never }, (res) => {
      res.resume()
      res.once('end', done)
    })
    const done = () => {
      client.destroy()
      server.close()
      resolve()
    }
    request.once('error', done)
    request.end('ok')
  })
}
