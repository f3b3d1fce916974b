import type { NodeRequest, NodeResponse } from './fetch-node-types.js'
import { requestBody } from './fetch-request-body.js'
import { requestUrl } from './fetch-url.js'

/** The node request behind a request this adapter made (for `requestIP`, `env.incoming`). */
export const INCOMING = Symbol('gu.incoming')
const REAL = Symbol('gu.real')
const NativeRequest = globalThis.Request
const NO_BODY = new Set(['GET', 'HEAD'])

/**
 * A `Request` (by prototype and `instanceof`) over a node request, built lazily: method, url,
 * headers and signal are answered from the node request; the real `Request` (≈ 7–30 µs on Node
 * 20) is built only when the app touches the body or another member.
 */
export class NodeBackedRequest {
  readonly [INCOMING]: NodeRequest
  readonly #res: NodeResponse
  #url: string | undefined
  #headers: Headers | undefined
  #abort: AbortController | undefined
  #real: Request | undefined
  #body: ReturnType<typeof requestBody> | undefined

  constructor(req: NodeRequest, res: NodeResponse) {
    this[INCOMING] = req
    this.#res = res
  }

  get method(): string {
    return this[INCOMING].method ?? 'GET'
  }
  get url(): string {
    return (this.#url ??= requestUrl(this[INCOMING]))
  }
  get headers(): Headers {
    return this.#real ? this.#real.headers : (this.#headers ??= toHeaders(this[INCOMING].rawHeaders))
  }
  /** Aborts when the client goes away before the response is complete. */
  get signal(): AbortSignal {
    if (this.#abort) return this.#abort.signal
    const abort = (this.#abort = new AbortController())
    const res = this.#res
    const gone = () => abort.abort(new DOMException('The client closed the connection', 'AbortError'))
    if (!res.writableFinished) {
      if (res.destroyed || (res as { closed?: boolean }).closed) gone()
      else res.once('close', () => !res.writableFinished && gone())
    }
    return abort.signal
  }

  /** The response is done: an unread body must not hold the connection. */
  discardBody(): void {
    this.#body?.discard()
  }

  [REAL](): Request {
    if (this.#real) return this.#real
    const method = this.method
    const init: RequestInit & { duplex?: 'half' } = { method, headers: this.headers, signal: this.signal }
    if (!NO_BODY.has(method)) {
      this.#body = requestBody(this[INCOMING])
      init.body = this.#body.stream
      init.duplex = 'half'
    }
    return (this.#real = new NativeRequest(this.url, init))
  }
}

/** Headers from `[name, value, …]`; pseudo-headers and values the Fetch spec forbids are left out. */
export function toHeaders(raw: readonly string[]): Headers {
  const headers = new Headers()
  for (let i = 0; i < raw.length; i += 2) {
    // HTTP/2's pseudo-headers (:method, :path …) are the request line, not headers.
    if (raw[i]![0] === ':') continue
    try {
      headers.append(raw[i]!, raw[i + 1]!)
    } catch {
      // A header value the Fetch spec forbids is dropped rather than failing the request.
    }
  }
  return headers
}

delegateToRequest(NodeBackedRequest, ['method', 'url', 'headers', 'signal'], (request: NodeBackedRequest) => request[REAL]())

/**
 * Makes instances of `lazy` Requests by prototype and `instanceof` (an engine's lazy request):
 * every member but `own` is the one of the real Request that `real` builds on first use.
 * undici's own symbols too: `new Request(req)` and `fetch(req)` read them from their argument,
 * so they get the real request's state.
 */
export function delegateToRequest<T extends object>(lazy: abstract new (...args: never[]) => T, own: readonly string[], real: (request: T) => Request): void {
  const skip = new Set(['constructor', ...own])
  const proto = lazy.prototype as Record<PropertyKey, unknown>
  for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(NativeRequest.prototype))) {
    if (skip.has(key)) continue
    if (typeof descriptor.value === 'function') {
      const name = key as keyof Request
      Object.defineProperty(proto, key, {
        configurable: true,
        writable: true,
        value(this: T, ...args: unknown[]) {
          const request = real(this)
          return (request[name] as (...a: unknown[]) => unknown).apply(request, args)
        },
      })
    } else if (descriptor.get) {
      Object.defineProperty(proto, key, { configurable: true, get(this: T) { return real(this)[key as keyof Request] } })
    }
  }
  for (const symbol of Object.getOwnPropertySymbols(new NativeRequest('http://localhost/'))) {
    Object.defineProperty(proto, symbol, { configurable: true, get(this: T) { return (real(this) as unknown as Record<symbol, unknown>)[symbol] } })
  }
  Object.setPrototypeOf(proto, NativeRequest.prototype)
}
