import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2'
import type { TLSSocket } from 'node:tls'
import type { ActiveRequest, RequestView, ResponseView, WorkerRuntime } from '../worker/types.js'
import { countResponseBytes } from './count-bytes.js'
import { proxyTrust } from './forwarded.js'
import { captureResponseHeaders } from './response-headers.js'

export type NodeRequest = IncomingMessage | Http2ServerRequest
export type NodeResponse = ServerResponse | Http2ServerResponse
type Headers = RequestView['headers']
/** A peer address not read yet (undefined is an answer: a unix socket, or a connection gone). */
const UNREAD = Symbol('gu.unread')

/** A node:http or node:http2 (compatibility API) request, as the runtime sees every request. */
export class NodeRequestView implements RequestView {
  readonly native: NodeRequest
  /** Kept for `mustClose`, which is handed this view; undefined for an upgrade (no response object). */
  readonly response: NodeResponse | undefined
  #peer: string | undefined | typeof UNREAD = UNREAD
  #client: string | undefined | typeof UNREAD = UNREAD
  // Read now too: routers rewrite `req.url` as they dispatch (Express strips its mount path), and
  // the access log must show the request line the client sent.
  readonly url: string
  #headers: Headers | undefined

  /**
   * `keepPeer`: read the peer now (`needs.remoteAddress`: it is read after the response, when the
   * socket no longer knows it); otherwise only when asked, which spares a getpeername() per
   * connection when nothing asks.
   */
  constructor(req: NodeRequest, res: NodeResponse | undefined, keepPeer = true) {
    this.native = req
    this.response = res
    this.url = req.url ?? '/'
    if (keepPeer) void this.remoteAddress
  }

  /** The connection's peer (undefined once the connection has gone, unless kept). */
  get peerAddress(): string | undefined {
    if (this.#peer === UNREAD) this.#peer = this.native.socket?.remoteAddress
    return this.#peer
  }
  /** The client: the peer, or whom a trusted proxy forwarded for (--forwarded-allow-ips). */
  get remoteAddress(): string | undefined {
    if (this.#client !== UNREAD) return this.#client
    const trust = proxyTrust()
    const peer = this.peerAddress
    this.#client = trust ? trust.clientAddress(this.native.headers, peer) : peer
    return this.#client
  }

  get http2(): boolean {
    return this.native.httpVersionMajor >= 2
  }
  get method(): string {
    return this.native.method ?? 'GET'
  }
  get httpVersion(): string {
    return this.native.httpVersion
  }
  get scheme(): 'http' | 'https' {
    if (this.http2) return (this.native as Http2ServerRequest).scheme === 'https' ? 'https' : 'http'
    const encrypted = (this.native.socket as TLSSocket | undefined)?.encrypted === true
    const trust = proxyTrust()
    return trust ? trust.scheme(this.native.headers, this.peerAddress, encrypted) : encrypted ? 'https' : 'http'
  }
  get headers(): Headers {
    return (this.#headers ??= this.http2 ? withoutPseudoHeaders(this.native.headers) : this.native.headers)
  }
}

/** HTTP/2 carries the host as `:authority` and the request line as pseudo-headers. */
function withoutPseudoHeaders(raw: NodeRequest['headers']): Headers {
  const headers: Record<string, string | string[] | undefined> = {}
  for (const [name, value] of Object.entries(raw)) if (name[0] !== ':') headers[name] = value
  headers.host ??= raw[':authority'] as string | undefined
  return headers
}

/** How a node:http response ended, measured only as far as the runtime needs. */
export class NodeResponseView implements ResponseView {
  readonly native: NodeResponse
  /** The request this response ends, for engines that keep the two together. */
  readonly active: ActiveRequest
  readonly #bytes: (() => number) | undefined
  readonly #capturedHeader: ((name: string) => string | string[] | number | undefined) | undefined

  constructor(res: NodeResponse, needs: WorkerRuntime['needs'], active: ActiveRequest) {
    this.native = res
    this.active = active
    // Wrapping write/end/writeHead costs on every response: only when something reads them.
    if (needs.responseBytes) this.#bytes = countResponseBytes(res)
    if (needs.responseHeaders) this.#capturedHeader = captureResponseHeaders(res)
  }

  get statusCode(): number {
    return this.native.statusCode
  }
  get bytes(): number {
    return this.#bytes?.() ?? 0
  }
  get aborted(): boolean {
    return !this.native.writableFinished
  }
  getHeader(name: string): string | string[] | number | undefined {
    return this.#capturedHeader ? this.#capturedHeader(name) : this.native.getHeader(name)
  }
}
