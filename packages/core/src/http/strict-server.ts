// Puts a node:http server under gu's request rules: limits, strict parsing past what llhttp
// checks, CONNECT served like any method, and parse errors answered in order and with the
// right status, and HTTPS when `certfile` is set. Every node:http worker class calls it once on
// each server it creates.
import { type IncomingMessage, type Server, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { createRequire } from 'node:module'
import type { Duplex } from 'node:stream'
import type { WorkerRuntime } from '../worker/types.js'
import { checkRequestHead, DROP_UNDERSCORED } from './check-request.js'
import { refusalForParseError } from './parse-error.js'
import { acceptProxyProtocol } from './proxy-connection.js'
import { type Refusal, refusalResponse } from './refusal.js'
import { refuseOnResponse } from './refuse-response.js'
import { maxHeaderSize, type RequestRules, requestRules } from './request-rules.js'
import { RULES, StrictIncomingMessage } from './strict-incoming.js'
import { neverAnswerInTheClear, serveTls } from './tls-connection.js'

type Listener = (req: IncomingMessage, res: ServerResponse) => void

/** Where node:http looks for the server's IncomingMessage class (`createServer`'s option, settable only there). */
const { kIncomingMessage } = createRequire(import.meta.url)('_http_common') as { kIncomingMessage: symbol }
/** A connection whose parse error is answered already: the parser reports every later byte again. */
const REFUSED = Symbol('gu.refused')

/**
 * Call after the request listener is attached (`createServer(listener)`): the listeners it finds
 * are the ones requests that pass reach.
 */
export function applyRequestRules(server: Server, worker: Pick<WorkerRuntime, 'settings' | 'tls' | 'log'>): void {
  const rules = requestRules(worker.settings)
  const s = server as unknown as Record<symbol | string, unknown>
  s[RULES] = rules
  s[kIncomingMessage] = StrictIncomingMessage
  // Read by node:http for each new connection's parser (documented only as createServer's option).
  s.maxHeaderSize = maxHeaderSize(rules)
  // Past the limit node would silently keep only the first fields; gu refuses instead (431).
  server.maxHeadersCount = rules.limitRequestFields

  const listeners = server.listeners('request') as Listener[]
  const only = listeners.length === 1 ? listeners[0]! : undefined
  const serve: Listener = only ?? ((req, res) => {
    for (const listener of listeners) listener.call(server, req, res)
  })
  server.removeAllListeners('request')
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    ;(req as StrictIncomingMessage).guResponse = res
    const verdict = checkRequestHead(req, rules)
    if (verdict !== undefined && verdict !== DROP_UNDERSCORED) return refuseOnResponse(res, verdict)
    if (verdict === DROP_UNDERSCORED) dropUnderscored(req)
    serve.call(server, req, res)
  })
  // Listening here stops node's automatic 100 Continue: a refused request gets its answer instead.
  // What passes goes on as 'request', as node would emit it, to every 'request' listener.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const verdict = checkRequestHead(req, rules)
    if (verdict !== undefined && verdict !== DROP_UNDERSCORED) return refuseOnResponse(res, verdict)
    res.writeContinue()
    server.emit('request', req, res)
  })
  server.on('connect', (req: IncomingMessage, socket: Socket) => server.emit('request', req, connectResponse(req, socket)))
  server.on('clientError', onClientError)
  // With `certfile`: HTTPS, under any PROXY header (which comes before the handshake, in the clear).
  serveTls(server, worker)
  if (worker.settings.proxyProtocol) acceptProxyProtocol(server, worker.settings.proxyAllowFrom)
  neverAnswerInTheClear(server, worker)
}

/**
 * Holds an upgrade request (a WebSocket handshake) to the server's rules: node:http hands it to
 * 'upgrade' listeners with the bare socket, past the 'request' gate above. Call first in every
 * 'upgrade' listener: false when it was refused (answered and closed here), and the listener
 * must leave it alone; `_` names are dropped as --header-map says.
 */
export function admitUpgrade(server: Server, req: IncomingMessage, socket: Duplex): boolean {
  const rules = (server as unknown as { [RULES]?: RequestRules })[RULES]
  if (!rules) return true
  const verdict = checkRequestHead(req, rules)
  if (verdict === undefined) return true
  if (verdict === DROP_UNDERSCORED) {
    dropUnderscored(req)
    return true
  }
  endWithRefusal(socket, verdict)
  return false
}

/** Writes a refusal on a bare socket and closes it; what else the client sent is read and dropped, so the answer isn't lost to a reset. */
function endWithRefusal(socket: Duplex, refusal: Refusal): void {
  if (!socket.writable) return void socket.destroy()
  socket.end(refusalResponse(refusal))
  socket.resume()
  setTimeout(() => socket.destroy(), 2000).unref()
}

/** Drops `_` names from both the raw list and the parsed object (node has built it already). */
function dropUnderscored(req: IncomingMessage): void {
  const headers = req.headers
  for (const name of Object.keys(headers)) if (name.includes('_')) delete headers[name]
  const kept: string[] = []
  const raw = req.rawHeaders
  for (let i = 0; i < raw.length; i += 2) if (!raw[i]!.includes('_')) kept.push(raw[i]!, raw[i + 1]!)
  req.rawHeaders = kept
}

/**
 * node:http hands a CONNECT to 'connect' listeners with the bare socket (and drops the connection
 * when there are none). gu serves it as any request, as Gunicorn does: a response of its own on
 * that socket, and the connection closed after it (gu has no tunnel to open).
 */
function connectResponse(req: IncomingMessage, socket: Socket): ServerResponse {
  const res = new ServerResponse(req)
  res.shouldKeepAlive = false
  res.assignSocket(socket)
  res.once('finish', () => {
    res.detachSocket(socket)
    socket.destroySoon()
  })
  socket.on('error', () => socket.destroy())
  // The parser stopped at the head: what follows would be tunnel bytes, not a body.
  req.complete = true
  req.push(null)
  return res
}

/**
 * A request the parser refused: answered once the responses to the requests before it on the
 * connection are out (node's default would write it at once, ahead of them), then closed.
 */
function onClientError(error: Error, socket: Socket & { [REFUSED]?: true }): void {
  if (socket[REFUSED]) return
  socket[REFUSED] = true
  const refusal = refusalForParseError(error)
  if (!refusal) return void socket.destroy()
  // The error is in the body of the request being read: the app has it, and its response waits for it.
  const reading = (socket as Socket & { parser?: { incoming?: StrictIncomingMessage | null } | null }).parser?.incoming
  if (reading && !reading.complete) return reading.refuse(refusal)
  whenIdle(socket, () => endWithRefusal(socket, refusal))
}

function whenIdle(socket: Socket, then: () => void): void {
  const current = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage
  if (!current || current.writableFinished) return then()
  // node's own 'finish' handler runs first: it hands the socket to the next queued response.
  let waited = false
  const next = () => {
    if (waited) return
    waited = true
    whenIdle(socket, then)
  }
  current.once('finish', next)
  current.once('close', next)
}
