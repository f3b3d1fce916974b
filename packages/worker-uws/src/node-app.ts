// Node-style apps on uWS: a real IncomingMessage (a Readable fed by onData) and a ServerResponse
// subclass whose writing methods are own properties, so they survive Express swapping the
// prototypes for its own (which inherit from node:http's). Header storage is node's own, but for
// headers passed straight to `writeHead`, which (as on node:http) are written as they came.
import { EventEmitter } from 'node:events'
import { IncomingMessage, ServerResponse, validateHeaderName, validateHeaderValue } from 'node:http'
import { addSocketNoops, type NodeListener, type SocketNoops, type WorkerRuntime } from '@gu/core'
import type { HttpResponse } from 'uWebSockets.js'
import { Exchange, failResponse, type HeaderStore } from './exchange.js'
import type { RequestHead } from './request-head.js'

const kOutHeaders = (() => {
  const probe = new ServerResponse(new IncomingMessage(null as never))
  probe.setHeader('x-probe', '1')
  return Object.getOwnPropertySymbols(probe).find((s) => s.description === 'kOutHeaders')
})()

/**
 * The connection as node-style code reaches it (`req.socket`, `res.socket`): the peer, and closing
 * it; the socket options are core's no-ops (`addSocketNoops`). An EventEmitter by prototype whose
 * listener table is made by the first `on`, not for every request (few listen to it):
 * EventEmitter's methods all allow for a missing table.
 */
export class UwsSocket {
  readonly encrypted: boolean
  readable = true
  writable = true
  destroyed = false
  readonly writableLength = 0
  readonly writableCorked = 0
  readonly writableHighWaterMark = 16 * 1024
  _paused = false
  readonly #exchange: Exchange

  constructor(exchange: Exchange) {
    this.#exchange = exchange
    this.encrypted = exchange.view.encrypted
  }
  /** Read on first use, while the request lasts (see UwsRequestView). */
  get remoteAddress(): string | undefined {
    return this.#exchange.view.peerAddress
  }
  get remoteFamily(): string | undefined {
    const address = this.remoteAddress
    return address === undefined ? undefined : address.includes(':') ? 'IPv6' : 'IPv4'
  }
  get remotePort(): undefined {
    return undefined
  }
  /** Readable backpressure from the request body, as node's parser does with its socket. */
  pause(): this {
    this.#exchange.pauseBody()
    return this
  }
  resume(): this {
    this.#exchange.resumeBody()
    return this
  }
  destroy(): this {
    this.#exchange.close()
    return this
  }
  end(): this {
    return this.destroy()
  }
  cork(): void {}
  uncork(): void {}
  address(): object {
    return {}
  }
  /** The exchange went away: what node's socket says once closed. */
  closed(): void {
    this.readable = false
    this.writable = false
    this.destroyed = true
    this.emit('close', true)
  }
}

export interface UwsSocket extends EventEmitter, SocketNoops {}
Object.setPrototypeOf(UwsSocket.prototype, EventEmitter.prototype)
addSocketNoops(UwsSocket)

type Chunk = string | Uint8Array
type Callback = (error?: Error | null) => void

/** node:http's response API over a uWS exchange. */
export class UwsServerResponse extends ServerResponse {
  readonly exchange: Exchange
  /** node's marker that the head is out (`headersSent` reads it); set once `writeHead` ran. */
  declare _header: string | null
  /**
   * The headers handed to `writeHead` when nothing was set before: node writes those as they are,
   * never into its store (`getHeader` doesn't see them), and so do we, without the store's work.
   */
  passed: DirectHeaders | undefined = undefined

  constructor(req: IncomingMessage, exchange: Exchange) {
    super(req)
    this.exchange = exchange
    // Own properties: Express replaces the prototype, and these must still be ours.
    this.writeHead = writeHead as never
    this.write = write as never
    this.end = end as never
    this.flushHeaders = flushHeaders
    this.writeContinue = noop
    this.destroy = destroy as never
    this.setTimeout = setTimeoutNoop as never
    ;(this as { socket: unknown }).socket = req.socket
  }
}

function noop(): void {}
function setTimeoutNoop(this: UwsServerResponse): UwsServerResponse {
  return this
}

function writeHead(this: UwsServerResponse, status: number, reason?: unknown, headers?: unknown): UwsServerResponse {
  if (this._header) throw Object.assign(new Error('Cannot write headers after they are sent to the client'), { code: 'ERR_HTTP_HEADERS_SENT' })
  if (typeof reason !== 'string') {
    headers = reason
    reason = undefined
  }
  const code = Number(status)
  if (!Number.isInteger(code) || code < 100 || code > 999) throw Object.assign(new RangeError(`Invalid status code: ${status}`), { code: 'ERR_HTTP_INVALID_STATUS_CODE' })
  this.statusCode = code
  if (reason) this.statusMessage = reason as string
  if (Array.isArray(headers)) {
    if (headers.length && Array.isArray(headers[0])) for (const [name, value] of headers as [string, string][]) this.appendHeader(name, value)
    else for (let i = 0; i < headers.length; i += 2) this.appendHeader(headers[i] as string, headers[i + 1] as string)
  } else if (headers && typeof headers === 'object') {
    if ((this as unknown as Record<symbol, unknown>)[kOutHeaders!] === null) this.passed = checked(headers as DirectHeaders)
    else {
      for (const name of Object.keys(headers)) {
        const value = (headers as Record<string, unknown>)[name]
        if (value !== undefined) this.setHeader(name, value as string)
      }
    }
  }
  // headersSent is `!!this._header`; the head itself goes to uWS with the first body bytes.
  this._header = ' '
  return this
}

type DirectHeaders = Readonly<Record<string, string | number | readonly string[] | undefined>>

/** RFC 9110 field names and values as node's `validateHeaderName`/`validateHeaderValue` allow them. */
const TOKEN = /^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$/
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/

/** `headers`, once every name and value passed node's checks (node's own functions throw its errors). */
function checked(headers: DirectHeaders): DirectHeaders {
  for (const name in headers) {
    if (!Object.hasOwn(headers, name)) continue
    const value = headers[name]
    if (value === undefined) continue
    if (!TOKEN.test(name)) validateHeaderName(name)
    if (typeof value === 'string') {
      if (INVALID_VALUE.test(value)) validateHeaderValue(name, value)
    } else if (value !== null && typeof value === 'object') {
      for (const one of value) if (INVALID_VALUE.test(String(one))) validateHeaderValue(name, one)
    }
  }
  return headers
}

/** A response header by any casing of its name: the store's, or one passed to `writeHead`. */
function responseHeader(res: UwsServerResponse, name: string): string | string[] | number | undefined {
  const stored = res.getHeader(name)
  const passed = res.passed
  if (stored !== undefined || !passed) return stored
  const lower = name.toLowerCase()
  for (const key in passed) if (key.toLowerCase() === lower && Object.hasOwn(passed, key)) return passed[key] as string | string[] | number | undefined
  return undefined
}

/** node's header store, read in place (a for-in: `Object.values` of its null-prototype object is slow). */
function outStore(res: UwsServerResponse): HeaderStore | undefined {
  return kOutHeaders ? ((res as unknown as Record<symbol, HeaderStore | null>)[kOutHeaders] ?? EMPTY_STORE) : undefined
}
const EMPTY_STORE: HeaderStore = {}

function toChunk(chunk: unknown, encoding: unknown): Chunk {
  if (typeof chunk === 'string') return typeof encoding === 'string' && encoding !== 'utf8' && encoding !== 'utf-8' ? Buffer.from(chunk, encoding as BufferEncoding) : chunk
  if (chunk instanceof Uint8Array) return chunk
  throw Object.assign(new TypeError('The "chunk" argument must be of type string or an instance of Buffer or Uint8Array'), { code: 'ERR_INVALID_ARG_TYPE' })
}

function headOut(res: UwsServerResponse): void {
  if (res.passed) return res.exchange.writeNamedHead(res.statusCode, res.statusMessage, res.passed)
  const store = outStore(res)
  if (store) res.exchange.writeStoredHead(res.statusCode, res.statusMessage, store)
  else res.exchange.writeHead(res.statusCode, res.statusMessage, Object.entries(res.getHeaders()) as [string, string][])
}

function write(this: UwsServerResponse, chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
  if (typeof encoding === 'function') {
    cb = encoding
    encoding = undefined
  }
  const exchange = this.exchange
  if (this.finished) {
    const error = Object.assign(new Error('write after end'), { code: 'ERR_STREAM_WRITE_AFTER_END' })
    process.nextTick(() => (cb as Callback | undefined)?.(error))
    return false
  }
  if (!this._header) this.writeHead(this.statusCode)
  if (exchange.done) return false
  const data = toChunk(chunk, encoding)
  let ok = true
  exchange.cork(() => {
    if (!exchange.headWritten) headOut(this)
    ok = exchange.write(data)
  })
  if (typeof cb === 'function') process.nextTick(cb as Callback)
  if (!ok) {
    exchange.writable().then(() => {
      if (!exchange.done) this.emit('drain')
    })
  }
  return ok
}

function end(this: UwsServerResponse, chunk?: unknown, encoding?: unknown, cb?: unknown): UwsServerResponse {
  if (typeof chunk === 'function') {
    cb = chunk
    chunk = undefined
  } else if (typeof encoding === 'function') {
    cb = encoding
    encoding = undefined
  }
  if (typeof cb === 'function') this.once('finish', cb as Callback)
  if (this.finished) return this
  if (!this._header) this.writeHead(this.statusCode)
  const exchange = this.exchange
  const data = chunk === undefined || chunk === null ? undefined : toChunk(chunk, encoding)
  this.finished = true
  exchange.cork(() => {
    if (!exchange.headWritten) {
      headOut(this)
      const length = exchange.isHead ? responseHeader(this, 'content-length') : undefined
      exchange.endWhole(data, length !== undefined ? Number(length) : undefined)
    } else {
      exchange.endStream(data)
    }
  })
  return this
}

function flushHeaders(this: UwsServerResponse): void {
  if (!this._header) this.writeHead(this.statusCode)
  const exchange = this.exchange
  exchange.cork(() => {
    if (!exchange.headWritten) headOut(this)
  })
}

function destroy(this: UwsServerResponse, error?: Error): UwsServerResponse {
  if (this.destroyed) return this
  this.destroyed = true
  this.exchange.close()
  if (error) process.nextTick(() => this.listenerCount('error') > 0 && this.emit('error', error))
  return this
}

/** A node-style request's exchange: what its req/res objects do when it ends or the client leaves. */
class NodeExchange extends Exchange {
  req!: IncomingMessage
  response!: UwsServerResponse
  socket!: UwsSocket

  override clientLeft(): void {
    const { req, response } = this
    this.socket.closed()
    // node:http: the request is destroyed (an 'error' only if someone listens), then the response closes.
    if (!req.complete) req.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }))
    else req.destroy()
    response.destroyed = true
    response.emit('close')
  }

  override finish(): void {
    if (this.done) return
    super.finish()
    // A response cut short (a body below --min-body-rate) already said 'close'.
    // A promise job, not a tick: node then has no tick queue to run after uWS's callback (that
    // cost as much as the emits; node's queueMicrotask makes an async resource for each), and
    // listeners added just after `end()` still hear them.
    const response = this.response
    if (!response.destroyed) void RESOLVED.then(() => emitFinished(response))
  }
}

const RESOLVED = Promise.resolve()

function emitFinished(response: UwsServerResponse): void {
  try {
    response.emit('finish')
    response.emit('close')
  } catch (error) {
    // A listener's throw is an uncaught exception, as from node's own tick, not a rejection.
    process.nextTick(rethrow, error)
  }
}

function rethrow(error: unknown): never {
  throw error
}

/** node's own `_read` pushes nothing for a bodiless request: the end is pushed when someone reads. */
function endOnRead(this: IncomingMessage): void {
  this.push(null)
}

/** An exchange for `serveNode`. */
export function nodeExchange(res: HttpResponse, head: RequestHead, keepPeer: boolean): Exchange {
  return new NodeExchange(res, head, keepPeer)
}

/** Serves one request with a node listener, on an exchange from `nodeExchange`. */
export function serveNode(worker: WorkerRuntime, listener: NodeListener, exchange: Exchange): void {
  const node = exchange as NodeExchange
  const { head, res } = node
  const socket = new UwsSocket(node)
  const req = new IncomingMessage(socket as never)
  req.method = head.method
  req.url = head.url
  req.httpVersion = '1.1'
  req.httpVersionMajor = 1
  req.httpVersionMinor = 1
  // node builds `req.headers` from these on first read (its own rules: duplicates, cookies); the
  // runtime's view (access log, forwarded) reads the same object.
  ;(req as unknown as { _addHeaderLines(raw: string[], n: number): void })._addHeaderLines(head.raw, head.raw.length)
  head.shareHeaders(req)
  const response = new UwsServerResponse(req, node)
  node.req = req
  node.response = response
  node.socket = socket
  node.native = response
  node.view.native = req
  if (worker.needs.responseHeaders) node.headerReader = (name) => responseHeader(response, name)

  if (head.bodyLength === -1 || head.bodyLength === 0) {
    req.complete = true
    req._read = endOnRead
  } else {
    res.onData((chunk, isLast) => {
      node.received(chunk.byteLength, isLast)
      if (req.destroyed) return
      if (chunk.byteLength > 0 && !req.push(Buffer.copyBytesFrom(new Uint8Array(chunk)))) socket.pause()
      if (isLast) {
        req.complete = true
        req.push(null)
      }
    })
  }
  const admitted = node.active!.admitted
  if (!admitted) return runListener(worker, listener, node)
  admitted.then(
    () => runListener(worker, listener, node),
    (error) => failResponse(node, worker, error),
  )
}

function runListener(worker: WorkerRuntime, listener: NodeListener, exchange: NodeExchange): void {
  try {
    const result = listener(exchange.req, exchange.response) as unknown
    if (result instanceof Promise) result.catch((error) => failResponse(exchange, worker, error))
  } catch (error) {
    failResponse(exchange, worker, error)
  }
}
