// gu's own checks on a parsed request head, for what the engine's parser lets through (llhttp
// lets through duplicate Host, unknown codings before chunked, TE in HTTP/1.0, fragments …).
// Engine-neutral: node:http and uWS hand it the same shape. It runs on every request, so one
// pass over the fields and no allocation on the common path.
import type { Refusal } from './refusal.js'
import type { RequestRules } from './request-rules.js'

/** The shape of node:http's `IncomingMessage`, so a request is checked as it is. */
export interface RequestHead {
  readonly method?: string
  readonly url?: string
  readonly httpVersionMajor: number
  readonly httpVersionMinor: number
  /** `[name, value, name, value …]` as received (names in any case). */
  readonly rawHeaders: readonly string[]
}

/** The head is fine, but has field names with `_` that `headerMap: 'drop'` removes. */
export const DROP_UNDERSCORED = 'drop-underscored'

/**
 * Fields that are not lists (RFC 9110 §5.3): a second copy is ambiguous (node:http keeps the
 * first, a proxy in front may have used the last), so it is refused. The bit marks it as seen.
 */
const SINGLETONS: Readonly<Record<string, number>> = Object.assign(Object.create(null), {
  host: 1 << 0, 'content-type': 1 << 1, 'content-length': 1 << 2, authorization: 1 << 3, 'proxy-authorization': 1 << 4,
  'user-agent': 1 << 5, referer: 1 << 6, from: 1 << 7, 'max-forwards': 1 << 8, 'if-modified-since': 1 << 9,
  'if-unmodified-since': 1 << 10, age: 1 << 11, etag: 1 << 12, expires: 1 << 13, 'last-modified': 1 << 14,
  location: 1 << 15, 'retry-after': 1 << 16, server: 1 << 17,
})
const HOST = SINGLETONS.host!
const CONTENT_LENGTH = SINGLETONS['content-length']!
/** Not singletons, but looked for in the same pass. */
const TRANSFER_ENCODING = 1 << 29
const EXPECT = 1 << 30
const SPECIAL: Readonly<Record<string, number>> = Object.assign(Object.create(null), SINGLETONS, { 'transfer-encoding': TRANSFER_ENCODING, expect: EXPECT })
/**
 * Names as clients usually spell them (lower-case and Title-Case), special or not: one lookup on
 * the exact string instead of lower-casing every name of every request. Anything else is lower-cased.
 */
const SPELLINGS = new Map<string, number>()
for (const name of [...Object.keys(SPECIAL), 'accept', 'accept-encoding', 'accept-language', 'connection', 'cookie', 'cache-control', 'origin', 'pragma', 'upgrade-insecure-requests', 'x-forwarded-for', 'x-forwarded-proto', 'x-request-id', 'dnt', 'priority', 'te', 'upgrade', 'sec-fetch-dest', 'sec-fetch-mode', 'sec-fetch-site', 'sec-fetch-user']) {
  const bit = SPECIAL[name] ?? 0
  SPELLINGS.set(name, bit)
  SPELLINGS.set(name.replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase()), bit)
}
SPELLINGS.set('ETag', SPECIAL.etag!)
SPELLINGS.set('DNT', 0)
SPELLINGS.set('TE', 0)

/** RFC 9110 §7.2: uri-host [ ":" port ], no userinfo. */
const HOST_VALUE = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]*)(?::[0-9]*)?$/
/** The last Host value found valid: a keep-alive client sends the same one with every request. */
let validHost = ''
/** RFC 9112 §3.2.3: CONNECT's authority-form, host and port. */
const AUTHORITY_FORM = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]+):[0-9]{1,5}$/
const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//
const KNOWN_METHODS = new Set(['ACL', 'BIND', 'CHECKOUT', 'CONNECT', 'COPY', 'DELETE', 'GET', 'HEAD', 'LINK', 'LOCK', 'M-SEARCH', 'MERGE', 'MKACTIVITY', 'MKCALENDAR', 'MKCOL', 'MOVE', 'NOTIFY', 'OPTIONS', 'PATCH', 'POST', 'PROPFIND', 'PROPPATCH', 'PURGE', 'PUT', 'QUERY', 'REBIND', 'REPORT', 'SEARCH', 'SOURCE', 'SUBSCRIBE', 'TRACE', 'UNBIND', 'UNLINK', 'UNLOCK', 'UNSUBSCRIBE'])

const refuse = (status: Refusal['status'], reason: string): Refusal => ({ status, reason })

/** Why the head must be refused, `DROP_UNDERSCORED`, or undefined when it goes to the app as is. */
export function checkRequestHead(head: RequestHead, rules: RequestRules): Refusal | typeof DROP_UNDERSCORED | undefined {
  const method = head.method ?? ''
  const url = head.url ?? ''
  if (head.httpVersionMajor !== 1 || head.httpVersionMinor > 1) return refuse(505, `HTTP/${head.httpVersionMajor}.${head.httpVersionMinor} is not supported; use HTTP/1.1 or HTTP/1.0`)
  if (!KNOWN_METHODS.has(method)) return refuse(501, `the method ${JSON.stringify(method)} is not implemented`)
  // "METHOD SP target SP HTTP/x.y": the line's length without its CRLF.
  if (rules.limitRequestLine > 0 && method.length + url.length + 10 > rules.limitRequestLine) {
    return refuse(414, `the request line is longer than ${rules.limitRequestLine} bytes (--limit-request-line)`)
  }
  const targetProblem = checkTarget(method, url)
  if (targetProblem) return refuse(400, targetProblem)

  const raw = head.rawHeaders
  const fields = raw.length >> 1
  if (rules.limitRequestFields > 0 && fields > rules.limitRequestFields) {
    return refuse(431, `${fields} header fields, more than ${rules.limitRequestFields} (--limit-request-fields)`)
  }
  const maxField = rules.limitRequestFieldSize
  let seen = 0
  let host: string | undefined
  let length: string | undefined
  let codings: string | undefined
  let underscored = false
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!
    const value = raw[i + 1]!
    if (maxField > 0 && name.length + value.length + 2 > maxField) return refuse(431, `the ${name.slice(0, 64)} field is larger than ${maxField} bytes (--limit-request-field-size)`)
    const bit = SPELLINGS.get(name) ?? SPECIAL[name.toLowerCase()] ?? 0
    if (bit === 0) {
      // Most fields: nothing to check beyond size and '_'.
    } else if (bit === TRANSFER_ENCODING) {
      codings = codings === undefined ? value : `${codings},${value}`
    } else if (bit === EXPECT) {
      // node:http answers these itself before a request is dispatched; other engines may not.
      if (value.toLowerCase() !== '100-continue') return refuse(417, 'the only expectation this server meets is 100-continue')
    } else {
      if (seen & bit) return refuse(400, `more than one ${name.toLowerCase()} field`)
      seen |= bit
      if (bit === HOST) host = value
      else if (bit === CONTENT_LENGTH) length = value
    }
    if (name.includes('_')) underscored = true
  }
  if (host !== undefined && host !== validHost) {
    if (!HOST_VALUE.test(host)) return refuse(400, 'the Host field is not a valid host[:port]')
    validHost = host
  }
  if (codings !== undefined) {
    const problem = checkCodings(codings, head.httpVersionMinor)
    if (problem) return problem
  }
  if (rules.limitRequestBody > 0 && length !== undefined && Number(length) > rules.limitRequestBody) {
    return refuse(413, `the body is larger than ${rules.limitRequestBody} bytes (--limit-request-body)`)
  }
  if (underscored && rules.headerMap !== 'dangerous') {
    return rules.headerMap === 'refuse' ? refuse(400, 'a header field name contains "_" (--header-map refuse)') : DROP_UNDERSCORED
  }
  return undefined
}

/** RFC 9112 §3.2: each target form only where it belongs. */
function checkTarget(method: string, url: string): string | undefined {
  if (url.includes('#')) return 'a request target has no fragment (#)'
  if (method === 'CONNECT') return AUTHORITY_FORM.test(url) ? undefined : 'CONNECT needs an authority-form target (host:port)'
  if (url === '*') return method === 'OPTIONS' ? undefined : 'the asterisk-form target (*) is only for OPTIONS'
  if (url.charCodeAt(0) === 47 /* / */ || ABSOLUTE_FORM.test(url)) return undefined
  return 'the request target is neither a path nor an absolute URI'
}

/** RFC 9112 §6.1: chunked once and last; HTTP/1.0 has no Transfer-Encoding; other codings aren't decoded here (501). */
function checkCodings(codings: string, versionMinor: number): Refusal | undefined {
  if (versionMinor === 0) return refuse(400, 'Transfer-Encoding in an HTTP/1.0 request')
  const list = codings.split(',').map((coding) => coding.trim().toLowerCase())
  if (list.at(-1) !== 'chunked') return refuse(400, 'the final transfer coding is not chunked')
  if (list.indexOf('chunked') !== list.length - 1) return refuse(400, 'chunked is applied more than once')
  if (list.length > 1) return refuse(501, `the transfer coding ${list.slice(0, -1).join(', ')} is not implemented`)
  return undefined
}

/**
 * RFC 9110 §6.5.1: fields a sender must not put in a trailer, because the head decided them
 * already (framing, routing, controls, authentication, how to read the content).
 */
const NOT_IN_TRAILER = new Set([
  'host', 'content-length', 'transfer-encoding', 'content-type', 'content-encoding', 'content-range', 'trailer', 'te', 'connection', 'keep-alive',
  'upgrade', 'authorization', 'proxy-authorization', 'cookie', 'expect', 'range', 'if-range', 'if-match', 'if-none-match', 'if-modified-since',
  'if-unmodified-since', 'cache-control', 'max-forwards', 'pragma',
])

export function checkTrailers(raw: readonly string[]): Refusal | undefined {
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase()
    if (NOT_IN_TRAILER.has(name)) return refuse(400, `the ${name} field is not allowed in a trailer`)
  }
  return undefined
}
