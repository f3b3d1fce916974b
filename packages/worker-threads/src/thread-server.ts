import http, { type IncomingMessage, type Server } from 'node:http'
import type { App } from '@gu/core'
import { appListener } from './thread-app.js'
import { ThreadExchange } from './thread-exchange.js'
import type { RequestHead } from './protocol.js'

/**
 * The thread's node:http server: it listens nowhere; every request arrives on a connection of its
 * own (see ThreadExchange). Node's own timeouts are off: the main thread owns the client's
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
    if (exchange) restoreHead(req, exchange.head)
    listener(req, res)
  })
  return server
}

let headersCount: symbol | undefined

/**
 * The app sees the request as the client sent it: its HTTP version, and its headers without the
 * framing ones (Connection, Content-Length, Transfer-Encoding) that the in-thread client had to
 * add at the end to carry it.
 */
function restoreHead(req: IncomingMessage, head: RequestHead): void {
  // A CONNECT travels as a plain GET (node's client would wait for a tunnel): back to what was sent.
  req.method = head.method
  req.url = head.url
  const [major, minor] = head.httpVersion.split('.')
  req.httpVersion = head.httpVersion
  req.httpVersionMajor = Number(major)
  req.httpVersionMinor = Number(minor)
  const n = head.rawHeaders.length
  if (req.rawHeaders.length === n) return
  req.rawHeaders.length = n
  headersCount ??= Object.getOwnPropertySymbols(req).find((s) => s.description === 'kHeadersCount')
  const record = req as unknown as Record<symbol, unknown> & { headers: unknown; headersDistinct: unknown }
  if (headersCount) {
    record[headersCount] = n
    // node computes headers (and headersDistinct) from rawHeaders on first read once unset.
    record.headers = null
    record.headersDistinct = null
    return
  }
  req.headers = plainHeaders(head.rawHeaders)
}

function plainHeaders(raw: readonly string[]): IncomingMessage['headers'] {
  const headers: Record<string, string | string[]> = {}
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase()
    const value = raw[i + 1]!
    const seen = headers[name]
    if (name === 'set-cookie') headers[name] = [...((seen as string[] | undefined) ?? []), value]
    else headers[name] = seen === undefined ? value : `${seen}, ${value}`
  }
  return headers
}
