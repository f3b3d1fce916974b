import http, { type IncomingMessage, type Server } from 'node:http'
import type { App } from '@gu/core'
import { appListener } from './thread-app.js'
import { ThreadExchange } from './thread-exchange.js'
import type { RequestHead } from './protocol.js'

/**
 * The thread's node:http server: it listens nowhere; requests arrive on the thread's one kept
 * connection (see ThreadConnection and ThreadExchange). Node's own timeouts are off: the main thread owns the client's
 * connection and its timeouts, and `--timeout` is enforced from there.
 */
export function createThreadServer(app: App): Server {
  const onError = (error: unknown, req: IncomingMessage) => ThreadExchange.of(req)?.reportError(error)
  const listener = appListener(app, onError)
  // The main thread's server checked the request against gu's rules; this one must not refuse what it let through.
  const server = http.createServer({ requestTimeout: 0, keepAliveTimeout: 0, requireHostHeader: false, maxHeaderSize: 1024 * 1024 })
  server.maxHeadersCount = 0
  server.on('request', (req, res) => {
    const exchange = ThreadExchange.of(req)
    if (exchange) {
      exchange.received(req, res)
      restoreHead(req, exchange.head)
    }
    listener(req, res)
  })
  return server
}

/**
 * The app sees the request as the client sent it: the socket carried its own header lines, but
 * behind an HTTP/1.1 request line, and a CONNECT as a plain GET (node's server would make a
 * tunnel of it).
 */
function restoreHead(req: IncomingMessage, head: RequestHead): void {
  req.method = head.method
  req.url = head.url
  if (head.httpVersion === '1.1') return
  const [major, minor] = head.httpVersion.split('.')
  req.httpVersion = head.httpVersion
  req.httpVersionMajor = Number(major)
  req.httpVersionMinor = Number(minor)
}
