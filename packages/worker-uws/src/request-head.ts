// The request head, copied out of uWS's stack-allocated HttpRequest before anything can await,
// with the framing checks uWS 20.30's parser leaves to us.
import type { HttpRequest, HttpResponse } from 'uWebSockets.js'
import { checkRequestHead, DROP_UNDERSCORED, type Refusal, type RequestRules, type RequestView } from '@gu/core'

type Headers = RequestView['headers']
export type { Refusal }

/** RFC 9112 §3.2: visible ASCII only. */
const TARGET_CHARS = /^[\x21-\x7e]*$/

/** Fields node:http keeps once (later duplicates are dropped), as `IncomingMessage#headers` does. */
const SINGLE = new Set([
  'age', 'authorization', 'content-length', 'content-type', 'etag', 'expires', 'from', 'host', 'if-modified-since', 'if-unmodified-since',
  'last-modified', 'location', 'max-forwards', 'proxy-authorization', 'referer', 'retry-after', 'server', 'user-agent',
])

/** The usual methods upper-cased once, not per request. */
const UPPER_METHODS: Readonly<Record<string, string>> = Object.assign(
  Object.create(null),
  Object.fromEntries(['get', 'head', 'post', 'put', 'delete', 'patch', 'options'].map((method) => [method, method.toUpperCase()])),
)

/** One request's head: everything the engine and the app need after the uWS callback returns. */
export class RequestHead {
  readonly method: string
  /** Path and query, as received. */
  readonly url: string
  /** Names (lower-case, as uWS gives them) and values, in order: `[name, value, name, value …]`. */
  raw: string[] = []
  /** A `Content-Length`, or -1; chunked bodies are -2. */
  bodyLength = -1
  refusal: Refusal | undefined
  #headers: Headers | undefined
  /** An object whose `headers` are this head's (a node-style app's request, which builds them lazily). */
  #shared: { readonly headers: unknown } | undefined

  /** uWS 20.30 doesn't say which HTTP/1 version the client spoke: 1.1 is assumed. */
  readonly httpVersionMajor = 1
  readonly httpVersionMinor = 1

  constructor(req: HttpRequest, rules: RequestRules) {
    // uWS lower-cases the method (getCaseSensitiveMethod too, in this build); it only passes methods it knows.
    const method = req.getMethod()
    // Compared before looked up: uWS's string is new each time, and a keyed lookup hashes it.
    this.method = method === 'get' ? 'GET' : method === 'post' ? 'POST' : (UPPER_METHODS[method] ?? method.toUpperCase())
    const query = req.getQuery()
    this.url = query ? `${req.getUrl()}?${query}` : req.getUrl()
    const raw = this.raw
    // One callback and one record for every request, none made per request: uWS calls it synchronously.
    seen.head = this
    seen.lengths = 0
    seen.codings = undefined
    seen.emptyName = false
    req.forEach(collect)
    const { lengths, codings, emptyName } = seen
    seen.head = undefined
    if (lengths > 0 || codings !== undefined) this.refusal = checkFraming(this, lengths, codings)
    if (this.refusal) return
    // What llhttp refuses and uWS 20.30 lets through, where it is cheap to see.
    if (!TARGET_CHARS.test(this.url)) this.refusal = { status: 400, reason: 'the request target has a character a target may not have' }
    else if (emptyName) this.refusal = { status: 400, reason: 'a header field with an empty name' }
    if (this.refusal) return
    // gu's own checks, as on node:http (limits, duplicates, Host, target forms, `_` names).
    const verdict = checkRequestHead(this, rules)
    if (verdict === DROP_UNDERSCORED) this.raw = raw.filter((_, i) => !raw[i - (i & 1)]!.includes('_'))
    else this.refusal = verdict
  }

  /**
   * Whether a field named in `names` (the secure scheme headers and `Forwarded`, as core's
   * ProxyTrust reads them) came: without one, a proxy can't have changed the scheme, and the
   * header record isn't built to ask.
   */
  hasAny(names: ReadonlySet<string>): boolean {
    const raw = this.raw
    for (let i = 0; i < raw.length; i += 2) if (names.has(raw[i]!)) return true
    return false
  }

  /** The fields in node:http's shape, for gu's checks. */
  get rawHeaders(): readonly string[] {
    return this.raw
  }

  /** node:http's shape: lower-case names, duplicates joined (`set-cookie` an array, some fields kept once). */
  get headers(): Headers {
    if (this.#shared) return this.#shared.headers as Headers
    if (this.#headers) return this.#headers
    const headers: Record<string, string | string[]> = {}
    const raw = this.raw
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!
      const value = raw[i + 1]!
      const had = headers[name]
      if (had === undefined) headers[name] = name === 'set-cookie' ? [value] : value
      else if (name === 'set-cookie') (had as string[]).push(value)
      else if (!SINGLE.has(name)) headers[name] = `${had}${name === 'cookie' ? '; ' : ', '}${value}`
    }
    return (this.#headers = headers)
  }

  /** From now on `headers` are `source.headers`, built from `raw` by node's rules, the same object the app sees. */
  shareHeaders(source: { readonly headers: unknown }): void {
    this.#shared = source
  }

  get host(): string | undefined {
    const raw = this.raw
    for (let i = 0; i < raw.length; i += 2) if (raw[i] === 'host') return raw[i + 1]
    return undefined
  }
}

/** What `collect` has seen of the head whose fields uWS's `forEach` is handing over. */
const seen: { head: RequestHead | undefined; lengths: number; codings: string | undefined; emptyName: boolean } = {
  head: undefined,
  lengths: 0,
  codings: undefined,
  emptyName: false,
}

/** One field from uWS's `forEach`: copied, and the framing fields noted. */
function collect(name: string, value: string): void {
  const state = seen
  const head = state.head!
  head.raw.push(name, value)
  if (name === 'content-length') {
    state.lengths++
    head.bodyLength = /^[0-9]{1,15}$/.test(value) ? Number(value) : -3
  } else if (name === 'transfer-encoding') {
    state.codings = state.codings === undefined ? value : `${state.codings}, ${value}`
  } else if (name === '') {
    state.emptyName = true
  }
}

/**
 * What node:http (llhttp) refuses and uWS 20.30 lets through: repeated or empty or malformed
 * `Content-Length`, `Transfer-Encoding` whose last coding isn't `chunked` or that applies
 * `chunked` twice (400), codings other than chunked (501: the body would reach the app still
 * encoded), and both headers at once.
 */
function checkFraming(head: RequestHead, lengths: number, codings: string | undefined): Refusal | undefined {
  if (lengths > 1) return { status: 400, reason: 'more than one Content-Length' }
  if (head.bodyLength === -3) return { status: 400, reason: 'a Content-Length that is not a number' }
  if (codings === undefined) return undefined
  if (lengths > 0) return { status: 400, reason: 'both Content-Length and Transfer-Encoding' }
  const list = codings.split(',').map((coding) => coding.trim().toLowerCase())
  const chunked = list.filter((coding) => coding === 'chunked').length
  if (list.at(-1) !== 'chunked') return { status: 400, reason: 'a Transfer-Encoding whose final coding is not chunked' }
  if (chunked > 1) return { status: 400, reason: 'chunked applied more than once' }
  if (list.length > 1) return { status: 501, reason: `a transfer coding this server does not implement (${list.filter((c) => c !== 'chunked').join(', ')})` }
  head.bodyLength = -2
  return undefined
}

/** The client's address as text: read while the response is valid (it isn't after an abort). */
export function remoteAddress(res: HttpResponse): string | undefined {
  const text = Buffer.from(res.getRemoteAddressAsText()).toString('latin1')
  if (!text) return undefined
  // uWS writes IPv6 in full (0000:…:0001); node:http reports the short form (::1, ::ffff:1.2.3.4).
  return text.includes(':') ? shortIpv6(text) : text
}

function shortIpv6(text: string): string {
  try {
    const short = new URL(`http://[${text}]/`).hostname.slice(1, -1)
    const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(short)
    if (!mapped) return short
    const [hi, lo] = [parseInt(mapped[1]!, 16), parseInt(mapped[2]!, 16)]
    return `::ffff:${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`
  } catch {
    return text
  }
}
