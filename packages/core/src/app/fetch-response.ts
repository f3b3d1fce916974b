// A `Response` that keeps a string or bytes body as it was given and builds the real undici
// Response (≈ 15 µs on Node 20: it makes a web stream for every body) only when the app reads
// more than its status and headers. The adapter writes such a response straight to the socket.
export const NativeResponse = globalThis.Response
const NULL_BODY_STATUS = new Set([204, 205, 304])
const REASON_PHRASE = /^[\t\x20-\x7e\x80-\xff]*$/
const TEXT = 'text/plain;charset=UTF-8'

type Body = string | Uint8Array | null

/** What the adapter writes for a response that was never materialized. */
export interface ResponseParts {
  readonly status: number
  readonly statusText: string
  readonly body: Body
  /** A Headers the app may have changed, or the init it gave. */
  readonly headers: HeadersInit | undefined
  /** The content type the Fetch spec adds when the app names none. */
  readonly defaultType: string | undefined
}

export class LightResponse {
  #body: Body = null
  #status = 200
  #statusText = ''
  #init: HeadersInit | undefined
  #headers: Headers | undefined
  #real: Response | undefined

  constructor(body?: BodyInit | null, init?: ResponseInit) {
    const status = init?.status ?? 200
    const statusText = init?.statusText ?? ''
    const simple = body == null || typeof body === 'string' || body instanceof Uint8Array
    // Most responses are a 200 with no reason phrase: no Set or regex for those.
    const valid = status === 200 ? statusText === '' || REASON_PHRASE.test(statusText) : Number.isInteger(status) && status >= 200 && status <= 599 && (body == null || !NULL_BODY_STATUS.has(status)) && REASON_PHRASE.test(statusText)
    if (!simple || !valid) {
      // Streams, blobs, forms … and anything the spec rejects: the real thing, with its errors.
      this.#real = new NativeResponse(body, init)
      return
    }
    this.#body = (body ?? null) as Body
    this.#status = status
    this.#statusText = statusText
    // A Headers is copied, as the real constructor does; a literal is read when written.
    const headers = init?.headers
    this.#init = headers instanceof Headers ? new Headers(headers) : headers
  }

  static json(data: unknown, init?: ResponseInit): Response {
    const body = JSON.stringify(data)
    if (body === undefined) return NativeResponse.json(data, init)
    let headers: HeadersInit = { 'content-type': 'application/json' }
    if (init?.headers) {
      headers = new Headers(init.headers)
      if (!headers.has('content-type')) headers.set('content-type', 'application/json')
    }
    return new LightResponse(body, { status: init?.status, statusText: init?.statusText, headers }) as unknown as Response
  }

  /** `x instanceof Response` holds for native responses too (not for a subclass's test). */
  static [Symbol.hasInstance](value: unknown): boolean {
    if (this !== LightResponse) return Function.prototype[Symbol.hasInstance].call(this, value)
    return value instanceof NativeResponse
  }

  /** The parts of a response still in its light form, or undefined (read it as a Response). */
  static parts(response: unknown): ResponseParts | undefined {
    if (!(response instanceof Object) || !(#real in response) || response.#real) return undefined
    const body = response.#body
    const defaultType = typeof body === 'string' ? TEXT : undefined
    return { status: response.#status, statusText: response.#statusText, body, headers: response.#headers ?? response.#init, defaultType }
  }

  get status(): number {
    return this.#real ? this.#real.status : this.#status
  }
  get statusText(): string {
    return this.#real ? this.#real.statusText : this.#statusText
  }
  get ok(): boolean {
    const status = this.status
    return status >= 200 && status <= 299
  }
  get headers(): Headers {
    if (this.#real) return this.#real.headers
    if (!this.#headers) {
      const headers = (this.#headers = new Headers(this.#init))
      if (typeof this.#body === 'string' && !headers.has('content-type')) headers.set('content-type', TEXT)
    }
    return this.#headers
  }

  /** The real Response, from now on the only source of truth. */
  materialize(): Response {
    if (!this.#real) {
      this.#real = new NativeResponse(this.#body as BodyInit | null, { status: this.#status, statusText: this.#statusText, headers: this.#headers ?? this.#init })
      this.#headers = undefined
    }
    return this.#real
  }
}

// Everything else is the real response's (undici's own symbols too: `new Response(r.body, r)`).
const own = new Set(['constructor', 'status', 'statusText', 'ok', 'headers'])
const proto = LightResponse.prototype as unknown as Record<PropertyKey, unknown>
for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(NativeResponse.prototype))) {
  if (own.has(key)) continue
  if (typeof descriptor.value === 'function') {
    Object.defineProperty(proto, key, {
      configurable: true,
      writable: true,
      value(this: LightResponse, ...args: unknown[]) {
        const real = this.materialize() as unknown as Record<string, (...a: unknown[]) => unknown>
        return real[key]!.apply(real, args)
      },
    })
  } else if (descriptor.get) {
    Object.defineProperty(proto, key, { configurable: true, get(this: LightResponse) { return (this.materialize() as unknown as Record<string, unknown>)[key] } })
  }
}
for (const symbol of Object.getOwnPropertySymbols(new NativeResponse())) {
  Object.defineProperty(proto, symbol, { configurable: true, get(this: LightResponse) { return (this.materialize() as unknown as Record<symbol, unknown>)[symbol] } })
}
Object.setPrototypeOf(proto, NativeResponse.prototype)
Object.setPrototypeOf(LightResponse, NativeResponse)

/**
 * Makes `Response` the light one in this process (a worker serving a fetch app), as
 * `@hono/node-server` does: frameworks call `new Response()` per request. Idempotent.
 */
export function installLightResponse(): void {
  if (globalThis.Response === (LightResponse as unknown)) return
  Object.defineProperty(globalThis, 'Response', { value: LightResponse, writable: true, configurable: true, enumerable: false })
}
