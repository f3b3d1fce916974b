// One request on a uWS HttpResponse: the runtime's record of it, and the writes to uWS, each
// corked, with backpressure, never after the client left (uWS frees the response then).
import { STATUS_CODES } from 'node:http'
import type { HttpResponse } from 'uWebSockets.js'
import { type ActiveRequest, proxyTrust, type RequestView, type ResponseView, type WorkerRuntime } from '@gu/core'
import { type RequestHead, remoteAddress } from './request-head.js'

/** Response headers the engine writes itself, or that only make sense per connection. */
const ENGINE_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'date'])
const statusLines = new Map<number, string>()
const BODILESS = new Set([204, 304])
const PLAIN_TEXT: HeaderRecord = { 'content-type': 'text/plain' }
/** Bodies up to this size go out with one `end`; larger ones stream with `tryEnd` and `onWritable`. */
const WHOLE_LIMIT = 64 * 1024

export type HeaderPairs = Iterable<readonly [string, string | number | readonly string[]]>
export type HeaderRecord = Readonly<Record<string, string | readonly string[]>>
/** node's outgoing header store (`kOutHeaders`). */
export type HeaderStore = Readonly<Record<string, readonly [string, string | number | readonly string[]]>>

function statusLine(status: number, text: string | undefined): string {
  if (text) return `${status} ${text}`
  let line = statusLines.get(status)
  if (line === undefined) statusLines.set(status, (line = `${status} ${STATUS_CODES[status] ?? 'Unknown'}`))
  return line
}

/** The request as the runtime and the hooks see it. */
export class UwsRequestView implements RequestView {
  readonly httpVersion = '1.1'
  native: unknown
  readonly #head: RequestHead
  #client: string | undefined | null = null
  #peer: string | undefined | null = null
  #res: HttpResponse | undefined

  /**
   * uWS's address call costs ≈ 16 µs (it allocates an ArrayBuffer), as much as the rest of a
   * request: `lazy` reads it on first use, and never once the response is released.
   */
  constructor(head: RequestHead, res: HttpResponse, lazy = false) {
    this.#head = head
    if (lazy) this.#res = res
    else this.#peer = remoteAddress(res)
  }
  /** The connection's peer (what node-style apps see as `req.socket.remoteAddress`). */
  get peerAddress(): string | undefined {
    if (this.#peer === null) this.#peer = this.#res ? remoteAddress(this.#res) : undefined
    return this.#peer
  }
  /** uWS freed the response: a peer not read by now stays unknown. */
  release(): void {
    this.#res = undefined
  }
  /** The client: the peer, or whom a trusted proxy forwarded for (--forwarded-allow-ips). On first read: it builds the headers. */
  get remoteAddress(): string | undefined {
    if (this.#client === null) this.#client = proxyTrust()?.clientAddress(this.#head.headers, this.peerAddress) ?? this.peerAddress
    return this.#client
  }
  /** Whether the connection is TLS (SSLApp): one answer for the whole worker. */
  get encrypted(): boolean {
    return encrypted
  }
  /** https on TLS, or when a trusted proxy says its client spoke it. */
  get scheme(): 'http' | 'https' {
    const trust = proxyTrust()
    // Without a scheme header there is nothing to trust: the peer (costly) isn't looked up, nor
    // the header record built (the raw names are enough to see that none came).
    if (!trust || !this.#head.hasAny(schemeNames) || !trust.namesScheme(this.#head.headers)) return encrypted ? 'https' : 'http'
    return trust.scheme(this.#head.headers, this.peerAddress, encrypted)
  }
  get method(): string {
    return this.#head.method
  }
  get url(): string {
    return this.#head.url
  }
  get headers(): RequestView['headers'] {
    return this.#head.headers
  }
}

export class Exchange implements ResponseView {
  readonly res: HttpResponse
  readonly head: RequestHead
  readonly view: UwsRequestView
  active: ActiveRequest | undefined
  statusCode = 200
  bytes = 0
  aborted = false
  /** Nothing more may be written: the response ended, or the client left. */
  done = false
  /** Status and headers are in uWS's buffer (the head ends with the first body write). */
  headWritten = false
  /** Called once if the client leaves before the response is complete. */
  onAbort: (() => void) | undefined
  /** How the response headers are read, for the access log and postRequest. */
  headerReader: ((name: string) => string | string[] | number | undefined) | undefined
  native: unknown
  #waiting: (() => void) | undefined
  #pending: { body: Uint8Array; base: number; close: boolean } | undefined

  /**
   * Still inside uWS's request callback: uWS has corked the socket for it and no abort can come,
   * so writes need no `cork` of their own and `onAborted` waits for `leaveCallback`.
   */
  #inCallback = true

  /** `keepPeer`: something reads the peer after the response (the access log, a hook). */
  constructor(res: HttpResponse, head: RequestHead, keepPeer: boolean) {
    this.res = res
    this.head = head
    this.view = new UwsRequestView(head, res, !keepPeer)
  }

  /**
   * The uWS callback returns: a response still open from here on needs the abort handler (uWS
   * requires one then); one that ended inside the callback never registers it.
   */
  leaveCallback(): void {
    this.#inCallback = false
    if (!this.done) this.res.onAborted(() => this.#aborted())
  }

  get isHead(): boolean {
    return this.head.method === 'HEAD'
  }

  getHeader(name: string): string | string[] | number | undefined {
    return this.headerReader?.(name)
  }

  /** Whether this response ends its connection: read as the head is written, and again at the end. */
  get closing(): boolean {
    return this.active?.closeConnection ?? true
  }

  /** Status line and headers into uWS's buffer; call inside `cork`. Names are lower-case. */
  writeHead(status: number, statusText: string | undefined, headers: HeaderPairs | HeaderRecord): void {
    this.#writeStatus(status, statusText)
    // A record (core's outgoing headers) is read in place: no pairs made for it.
    if (Symbol.iterator in headers) for (const [name, value] of headers) this.#header(name, name, value)
    else for (const name in headers) this.#header(name, name, headers[name]!)
    this.headWritten = true
  }

  /** The same from node's header store (lower-case name → [name as set, value]): names go out as the app spelled them. */
  writeStoredHead(status: number, statusText: string | undefined, store: HeaderStore): void {
    this.#writeStatus(status, statusText)
    for (const lower in store) {
      const entry = store[lower]!
      this.#header(lower, entry[0], entry[1])
    }
    this.headWritten = true
  }

  /** The same from a record whose names are in any case (what a node app handed `writeHead`), checked already. */
  writeNamedHead(status: number, statusText: string | undefined, headers: Readonly<Record<string, string | number | readonly string[] | undefined>>): void {
    this.#writeStatus(status, statusText)
    for (const name in headers) {
      const value = headers[name]
      // Own fields only, as node:http writes them (and as they were checked).
      if (value !== undefined && Object.hasOwn(headers, name)) this.#header(name.toLowerCase(), name, value)
    }
    this.headWritten = true
  }

  #writeStatus(status: number, statusText: string | undefined): void {
    this.statusCode = status
    this.res.writeStatus(statusLine(status, statusText))
  }

  #header(lower: string, name: string, value: string | number | readonly string[]): void {
    if (ENGINE_HEADERS.has(lower)) {
      if (lower === 'connection' && /\bclose\b/i.test(String(value))) this.appCloses = true
      return
    }
    if (typeof value === 'object' && value !== null) for (const one of value) this.res.writeHeader(name, one)
    else this.res.writeHeader(name, typeof value === 'string' ? value : String(value))
  }
  /** The app asked for `Connection: close`. */
  appCloses = false

  /** The whole body at once (or none): `Content-Length` framing. `reported` is a HEAD response's length. */
  endWhole(body: Uint8Array | string | undefined, reported?: number): void {
    if (this.done) return
    const res = this.res
    const close = this.closing || this.appCloses
    const length = body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength
    if (BODILESS.has(this.statusCode)) {
      // uWS closes after a bodiless end only when it reports length 0 (then it says Content-Length: 0).
      if (close) res.endWithoutBody(0, true)
      else res.endWithoutBody()
      return this.finish()
    }
    if (this.isHead) {
      // uWS 20.30's endWithoutBody(length) breaks the connection's next request: the length goes
      // as a header, and `Connection: close` leaves closing to the client (uWS can't here).
      const size = reported ?? (body === undefined ? undefined : length)
      if (size !== undefined) res.writeHeader('Content-Length', String(size))
      if (close) res.writeHeader('Connection', 'close')
      res.endWithoutBody()
      return this.finish()
    }
    if (length <= WHOLE_LIMIT || close) {
      res.end(body ?? '', close)
      this.bytes = length
      return this.finish()
    }
    const bytes = typeof body === 'string' ? Buffer.from(body) : body!
    this.#tryEnd({ body: bytes, base: res.getWriteOffset(), close }, bytes.byteLength)
  }

  #tryEnd(pending: { body: Uint8Array; base: number; close: boolean }, total: number): boolean {
    const offset = this.res.getWriteOffset()
    const [ok, done] = this.res.tryEnd(pending.body.subarray(offset - pending.base), total)
    if (done) {
      this.#pending = undefined
      this.bytes = total
      this.finish()
      return true
    }
    if (!ok) {
      this.#pending = pending
      this.#watchWritable()
    }
    return ok
  }

  /** One chunk of a body of unknown length (chunked); false when uWS is holding back data. */
  write(chunk: Uint8Array | string): boolean {
    if (this.done) return false
    if (this.isHead || BODILESS.has(this.statusCode)) return true
    this.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength
    const ok = this.res.write(chunk)
    if (!ok) this.#watchWritable()
    return ok
  }

  /**
   * Request-body flow control. uWS 20.30's `pause()` also stops the writable events that a
   * response under backpressure waits for (its `onWritable` then never comes), and a write that
   * fails re-arms reading: so a pause asked for under backpressure waits until uWS can write.
   */
  pauseBody(): void {
    if (this.#bodyPaused) return
    this.#bodyPaused = true
    if (!this.#backpressure && !this.done) this.#pauseNative()
  }
  resumeBody(): void {
    if (!this.#bodyPaused) return
    this.#bodyPaused = false
    if (this.#nativePaused && !this.done) {
      this.#nativePaused = false
      this.res.resume()
    }
  }
  #bodyPaused = false
  #nativePaused = false
  /** The app hasn't taken what arrived (the body is paused): it, not the client, is slow. */
  get bodyPaused(): boolean {
    return this.#bodyPaused
  }
  /** Request body bytes received so far, and whether the last has (for --min-body-rate). */
  bodyReceived = 0
  bodyComplete = false
  /** Counts one `onData` chunk. */
  received(bytes: number, isLast: boolean): void {
    this.bodyReceived += bytes
    if (isLast) this.bodyComplete = true
  }

  /**
   * The body arrived below --min-body-rate: 408 and the connection closed, as on node:http (or just
   * the connection cut, if a response began); the app's request fails as if the client had left.
   */
  timeOutBody(): void {
    if (this.done) return
    if (this.headWritten) return this.close()
    // The app's request fails first, so nothing it does next can write: then the 408.
    this.#tellAbort()
    this.appCloses = true
    this.respondWhole(408, undefined, PLAIN_TEXT, 'Request Timeout\n')
  }
  /** A write failed and uWS has not called onWritable since. */
  #backpressure = false
  #pauseNative(): void {
    if (this.#nativePaused) return
    this.#nativePaused = true
    this.res.pause()
  }

  /** The end of a chunked body, with a last chunk or none. */
  endStream(chunk?: Uint8Array | string): void {
    if (this.done) return
    if (this.isHead || BODILESS.has(this.statusCode)) return this.endWhole(undefined)
    if (chunk !== undefined) this.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength
    this.res.end(chunk ?? '', this.closing || this.appCloses)
    this.finish()
  }

  /** Resolves when uWS can take more (or the client left). */
  writable(): Promise<void> {
    if (this.done) return Promise.resolve()
    return new Promise((resolve) => (this.#waiting = resolve))
  }

  #watching = false
  #watchWritable(): void {
    this.#backpressure = true
    // The failed write polled the socket for reading again.
    this.#nativePaused = false
    if (this.#watching) return
    this.#watching = true
    this.res.onWritable(() => {
      if (this.done) return true
      this.#backpressure = false
      if (this.#bodyPaused) this.#pauseNative()
      const pending = this.#pending
      if (pending) return this.#tryEnd(pending, pending.body.byteLength)
      const waiting = this.#waiting
      this.#waiting = undefined
      waiting?.()
      return true
    })
  }

  /** A whole response, corked (one send for head and body), unless the client left: `endWhole` after `writeHead`. */
  respondWhole(status: number, statusText: string | undefined, headers: HeaderPairs | HeaderRecord, body: Uint8Array | string | undefined, reported?: number): void {
    if (this.done) return
    // Inside the request callback (the usual case) no closure is made for a cork.
    if (this.#inCallback) return this.#respondWhole(status, statusText, headers, body, reported)
    this.res.cork(() => this.#respondWhole(status, statusText, headers, body, reported))
  }
  #respondWhole(status: number, statusText: string | undefined, headers: HeaderPairs | HeaderRecord, body: Uint8Array | string | undefined, reported: number | undefined): void {
    this.writeHead(status, statusText, headers)
    this.endWhole(body, reported)
  }

  /** Runs `fn` corked (one send for head and body), unless the client left. */
  cork(fn: () => void): void {
    if (this.done) return
    if (this.#inCallback) fn()
    else this.res.cork(fn)
  }

  /** Cuts the connection: a response that can't be completed. */
  close(): void {
    if (this.done) return
    this.res.close()
    this.#aborted()
  }

  finish(): void {
    if (this.#ended) return
    this.#ended = true
    this.done = true
    this.view.release()
    this.active?.end(this)
  }

  #ended = false
  #aborted(): void {
    if (this.#ended) return
    this.#ended = true
    this.done = true
    this.aborted = true
    this.view.release()
    const waiting = this.#waiting
    this.#waiting = undefined
    waiting?.()
    this.#tellAbort()
    this.active?.end(this)
  }

  /** The request is over before its response: the class's own reaction, then `onAbort`'s. */
  #tellAbort(): void {
    this.clientLeft()
    const onAbort = this.onAbort
    this.onAbort = undefined
    onAbort?.()
  }

  /** What the app's side does when the client leaves (or its body is too slow): for subclasses. */
  clientLeft(): void {}
}

/** A 500 if nothing was sent yet, else cut the connection. */
export function failResponse(exchange: Exchange, worker: WorkerRuntime, error: unknown): void {
  worker.log.error(`Error handling request ${exchange.head.url}`, error)
  if (exchange.done) return
  if (exchange.headWritten) return exchange.close()
  exchange.appCloses = true
  exchange.respondWhole(500, undefined, PLAIN_TEXT, 'Internal Server Error\n')
}

/** Set once as the worker starts: every connection of a worker is TLS (SSLApp) or none is. */
let encrypted = false
/** The fields that may carry a proxy's word on the scheme, lower-case: --secure-scheme-headers' names and `Forwarded`. */
let schemeNames: ReadonlySet<string> = new Set(['forwarded'])

/** What every request of this worker shares: TLS or not, and the names of the scheme headers (`NAME=value` entries). */
export function servesTls(on: boolean, secureSchemeHeaders: readonly string[]): void {
  encrypted = on
  schemeNames = new Set(['forwarded', ...secureSchemeHeaders.map((entry) => entry.slice(0, entry.indexOf('=')).trim().toLowerCase())])
}
