// The strict-HTTP corpus: raw request bytes and what a conforming gu answers, one case per line
// of the RFC it checks. Grow it whenever a parsing bug is found: add the bytes that showed it.
//
// `expect` lists the responses in order: a status, or 'app' for "the app served it" (the corpus
// app's 200). After the last one the connection must close when `close` is true (the default for
// a refusal); a class may also close earlier after a response that says `Connection: close`.
// The server runs with `--limit-request-body 1000` and every other setting at its default.

/** What the corpus app saw of a request it served. */
export interface Seen {
  method: string
  url: string
  rawHeaders: string[]
  body: number
}

export interface CorpusCase {
  readonly id: string
  /** The section the case checks, e.g. `RFC 9112 §3`. */
  readonly rfc: string
  /** The bytes sent, as latin1 text. */
  readonly send: string
  readonly expect: ReadonlyArray<number | 'app'>
  readonly close?: boolean
  /** Another answer the RFC allows as well (a MAY, or an extension a recipient may ignore), and why. */
  readonly or?: { readonly expect: ReadonlyArray<number | 'app'>; readonly because: string }
  /** What the app must (not) have seen: a message when it saw the wrong thing. */
  readonly sees?: (seen: Seen) => string | undefined
}

export const BODY_LIMIT = 1000

const CRLF = '\r\n'
/** A request from lines: CRLF after each, and the empty line that ends the head. */
const head = (...lines: string[]) => lines.map((line) => line + CRLF).join('') + CRLF
const get = (...fields: string[]) => head('GET / HTTP/1.1', 'Host: a.example', ...fields)
const post = (fields: string[], body: string) => head('POST / HTTP/1.1', 'Host: a.example', ...fields) + body
const chunked = (body: string) => post(['Transfer-Encoding: chunked'], body)

const seesHeader = (name: string, value: string | undefined) => (seen: Seen) => {
  const values: string[] = []
  for (let i = 0; i < seen.rawHeaders.length; i += 2) if (seen.rawHeaders[i]!.toLowerCase() === name) values.push(seen.rawHeaders[i + 1]!)
  if (value === undefined) return values.length ? `the app saw ${name}: ${JSON.stringify(values)}, which must not reach it` : undefined
  return values.length === 1 && values[0] === value ? undefined : `the app saw ${name} as ${JSON.stringify(values)}, expected ${JSON.stringify(value)}`
}
const seesBody = (length: number) => (seen: Seen) => (seen.body === length ? undefined : `the app got a ${seen.body}-byte body, expected ${length}`)
const seesUrl = (url: string) => (seen: Seen) => (seen.url === url ? undefined : `the app saw the target ${JSON.stringify(seen.url)}, expected ${JSON.stringify(url)}`)
const seesFields = (count: number) => (seen: Seen) => (seen.rawHeaders.length / 2 === count ? undefined : `the app saw ${seen.rawHeaders.length / 2} fields, expected ${count}`)

const hex = (code: number) => code.toString(16).padStart(2, '0')
/** Control characters other than HTAB (allowed in values), CR and LF (cases of their own). */
const CONTROLS = [...Array(32).keys(), 0x7f].filter((c) => c !== 0x09 && c !== 0x0a && c !== 0x0d)
/** Fields node:http would keep once, so a second copy is ambiguous (RFC 9110 §5.3: not lists). */
const SINGLETONS = ['Host', 'Content-Type', 'Authorization', 'Proxy-Authorization', 'User-Agent', 'Referer', 'From', 'Max-Forwards', 'If-Modified-Since', 'If-Unmodified-Since', 'Age', 'ETag', 'Expires', 'Last-Modified', 'Location', 'Retry-After', 'Server']
const SINGLETON_VALUES: Record<string, [string, string]> = {
  Host: ['a.example', 'b.example'], 'Max-Forwards': ['1', '2'], 'If-Modified-Since': ['Sat, 29 Oct 1994 19:43:31 GMT', 'Sun, 30 Oct 1994 19:43:31 GMT'],
  'If-Unmodified-Since': ['Sat, 29 Oct 1994 19:43:31 GMT', 'Sun, 30 Oct 1994 19:43:31 GMT'], Age: ['1', '2'], Expires: ['0', '1'],
  'Last-Modified': ['Sat, 29 Oct 1994 19:43:31 GMT', 'Sun, 30 Oct 1994 19:43:31 GMT'], 'Retry-After': ['1', '2'],
}
const many = (count: number) => Array.from({ length: count }, (_, i) => `X-F${i}: ${i}`)

export const CASES: readonly CorpusCase[] = [
  // Request line (RFC 9112 §3)
  { id: 'line-plain', rfc: 'RFC 9112 §3', send: get(), expect: ['app'] },
  { id: 'line-query', rfc: 'RFC 9112 §3.2.1', send: head('GET /a/b?c=d&e HTTP/1.1', 'Host: a.example'), expect: ['app'], sees: seesUrl('/a/b?c=d&e') },
  { id: 'line-lowercase-method', rfc: 'RFC 9110 §9.1 (methods are case-sensitive: an unknown method, 501)', send: head('get / HTTP/1.1', 'Host: a.example'), expect: [501] },
  { id: 'line-unknown-method', rfc: 'RFC 9110 §9.1 (501 for an unrecognized method)', send: head('FROB / HTTP/1.1', 'Host: a.example'), expect: [501] },
  { id: 'line-method-bad-char', rfc: 'RFC 9110 §9.1 (method = token)', send: head('GE(T / HTTP/1.1', 'Host: a.example'), expect: [400] },
  { id: 'line-method-tab', rfc: 'RFC 9112 §3 (SP separates the parts)', send: head('GET\t/ HTTP/1.1', 'Host: a.example'), expect: [400] },
  { id: 'line-two-spaces', rfc: 'RFC 9112 §3 (one SP; a recipient MAY split on whitespace)', send: head('GET  / HTTP/1.1', 'Host: a.example'), expect: [400], or: { expect: ['app'], because: 'RFC 9112 §3 lets a recipient parse on whitespace boundaries' } },
  { id: 'line-no-target', rfc: 'RFC 9112 §3', send: head('GET HTTP/1.1', 'Host: a.example'), expect: [400] },
  { id: 'line-space-in-target', rfc: 'RFC 9112 §3.2', send: head('GET /a b HTTP/1.1', 'Host: a.example'), expect: [400] },
  { id: 'line-ctl-in-target', rfc: 'RFC 9112 §3.2', send: head('GET /a\x01b HTTP/1.1', 'Host: a.example'), expect: [400] },
  { id: 'line-del-in-target', rfc: 'RFC 9112 §3.2', send: head('GET /a\x7fb HTTP/1.1', 'Host: a.example'), expect: [400] },
  { id: 'line-nonascii-target', rfc: 'RFC 9112 §3.2 (targets are ASCII)', send: head('GET /caf\xe9 HTTP/1.1', 'Host: a.example'), expect: [400] },
  { id: 'line-fragment', rfc: 'RFC 9112 §3.2.1 (origin-form has no fragment)', send: head('GET /a#b HTTP/1.1', 'Host: a.example'), expect: [400] },
  { id: 'line-relative-target', rfc: 'RFC 9112 §3.2.1 (origin-form starts with /)', send: head('GET a/b HTTP/1.1', 'Host: a.example'), expect: [400] },
  { id: 'line-version-1.2', rfc: 'RFC 9110 §15.6.6 (505)', send: head('GET / HTTP/1.2', 'Host: a.example'), expect: [505] },
  { id: 'line-version-2.0', rfc: 'RFC 9110 §15.6.6 (505)', send: head('GET / HTTP/2.0', 'Host: a.example'), expect: [505] },
  { id: 'line-version-3.0', rfc: 'RFC 9110 §15.6.6 (505)', send: head('GET / HTTP/3.0', 'Host: a.example'), expect: [505] },
  { id: 'line-version-0.9', rfc: 'RFC 9110 §15.6.6 (505)', send: head('GET / HTTP/0.9', 'Host: a.example'), expect: [505] },
  { id: 'line-version-9.9', rfc: 'RFC 9110 §15.6.6 (505)', send: head('GET / HTTP/9.9', 'Host: a.example'), expect: [505] },
  { id: 'line-version-long-minor', rfc: 'RFC 9112 §2.3 (HTTP-version = "HTTP/" DIGIT "." DIGIT)', send: head('GET / HTTP/1.10', 'Host: a.example'), expect: [400] },
  { id: 'line-version-lowercase', rfc: 'RFC 9112 §2.3 (HTTP-name is case-sensitive)', send: head('GET / http/1.1', 'Host: a.example'), expect: [400] },
  { id: 'line-version-garbage', rfc: 'RFC 9112 §2.3', send: head('GET / HTTP/x.y', 'Host: a.example'), expect: [400] },
  { id: 'line-trailing-space', rfc: 'RFC 9112 §3', send: head('GET / HTTP/1.1 ', 'Host: a.example'), expect: [400] },
  { id: 'line-no-version', rfc: 'RFC 9112 §3 (an HTTP/0.9 simple request)', send: 'GET /\r\n\r\n', expect: [400], or: { expect: [505], because: 'node reads a line without a version as HTTP/0.9, which is not supported' } },
  { id: 'line-bare-lf', rfc: 'RFC 9112 §2.2 (strict: CRLF)', send: 'GET / HTTP/1.1\nHost: a.example\n\n', expect: [400] },
  { id: 'line-bare-cr', rfc: 'RFC 9112 §2.2 (a bare CR is invalid)', send: 'GET / HTTP/1.1\rHost: a.example\r\n\r\n', expect: [400] },
  { id: 'line-leading-crlf', rfc: 'RFC 9112 §2.2 (SHOULD ignore an empty line before the request line)', send: `\r\n${get()}`, expect: ['app'] },
  { id: 'line-bom', rfc: 'RFC 9112 §3', send: `\xef\xbb\xbf${get()}`, expect: [400] },
  { id: 'line-at-limit', rfc: 'Gunicorn limit_request_line (4094)', send: head(`GET /${'a'.repeat(4094 - 'GET / HTTP/1.1'.length)} HTTP/1.1`, 'Host: a.example'), expect: ['app'] },
  { id: 'line-over-limit', rfc: 'RFC 9110 §15.5.15 (414), limit_request_line 4094', send: head(`GET /${'a'.repeat(4095 - 'GET / HTTP/1.1'.length)} HTTP/1.1`, 'Host: a.example'), expect: [414] },
  { id: 'line-far-over-limit', rfc: 'RFC 9110 §15.5.15 (414)', send: head(`GET /${'a'.repeat(20_000)} HTTP/1.1`, 'Host: a.example'), expect: [414] },
  // Request target forms (RFC 9112 §3.2)
  { id: 'target-absolute-form', rfc: 'RFC 9112 §3.2.2', send: head('GET http://a.example/x?y HTTP/1.1', 'Host: a.example'), expect: ['app'], sees: seesUrl('http://a.example/x?y') },
  { id: 'target-asterisk-options', rfc: 'RFC 9112 §3.2.4', send: head('OPTIONS * HTTP/1.1', 'Host: a.example'), expect: ['app'], sees: seesUrl('*') },
  { id: 'target-asterisk-get', rfc: 'RFC 9112 §3.2.4 (only with OPTIONS)', send: head('GET * HTTP/1.1', 'Host: a.example'), expect: [400] },
  { id: 'target-asterisk-post', rfc: 'RFC 9112 §3.2.4 (only with OPTIONS)', send: head('POST * HTTP/1.1', 'Host: a.example', 'Content-Length: 0'), expect: [400] },
  { id: 'target-authority-connect', rfc: 'RFC 9112 §3.2.3, RFC 9110 §9.3.6', send: head('CONNECT a.example:443 HTTP/1.1', 'Host: a.example:443'), expect: ['app'], close: undefined, sees: seesUrl('a.example:443') },
  { id: 'target-authority-connect-ipv6', rfc: 'RFC 9112 §3.2.3', send: head('CONNECT [::1]:443 HTTP/1.1', 'Host: [::1]:443'), expect: ['app'], close: undefined },
  { id: 'target-authority-get', rfc: 'RFC 9112 §3.2.3 (only with CONNECT)', send: head('GET a.example:443 HTTP/1.1', 'Host: a.example'), expect: [400] },
  { id: 'target-connect-origin-form', rfc: 'RFC 9112 §3.2.3 (CONNECT takes authority-form)', send: head('CONNECT / HTTP/1.1', 'Host: a.example'), expect: [400] },
  { id: 'target-connect-no-port', rfc: 'RFC 9110 §9.3.6 (authority-form has a port)', send: head('CONNECT a.example HTTP/1.1', 'Host: a.example'), expect: [400] },
  { id: 'target-absolute-other-host', rfc: 'RFC 9112 §3.2.2 (the target wins over Host)', send: head('GET http://b.example/ HTTP/1.1', 'Host: a.example'), expect: ['app'] },
  // Host (RFC 9112 §3.2, RFC 9110 §7.2)
  { id: 'host-missing-1.1', rfc: 'RFC 9112 §3.2 (MUST 400)', send: head('GET / HTTP/1.1'), expect: [400] },
  { id: 'host-missing-1.0', rfc: 'RFC 9112 §3.2 (HTTP/1.0 may omit Host)', send: head('GET / HTTP/1.0'), expect: ['app'], close: true },
  { id: 'host-empty', rfc: 'RFC 9112 §3.2 (empty when the target has no authority)', send: head('GET / HTTP/1.1', 'Host:'), expect: ['app'] },
  { id: 'host-with-port', rfc: 'RFC 9110 §7.2', send: head('GET / HTTP/1.1', 'Host: a.example:8080'), expect: ['app'] },
  { id: 'host-ipv6', rfc: 'RFC 9110 §7.2, RFC 3986 §3.2.2', send: head('GET / HTTP/1.1', 'Host: [::1]:8080'), expect: ['app'] },
  { id: 'host-space-inside', rfc: 'RFC 9110 §7.2 (400 for an invalid Host)', send: head('GET / HTTP/1.1', 'Host: a example'), expect: [400] },
  { id: 'host-userinfo', rfc: 'RFC 9110 §7.2 (no userinfo in Host)', send: head('GET / HTTP/1.1', 'Host: user@a.example'), expect: [400] },
  { id: 'host-bad-port', rfc: 'RFC 9110 §7.2 (port = *DIGIT)', send: head('GET / HTTP/1.1', 'Host: a.example:8x'), expect: [400] },
  { id: 'host-list', rfc: 'RFC 9110 §7.2 (Host is one authority)', send: head('GET / HTTP/1.1', 'Host: a.example, b.example'), expect: [400] },
  // Field syntax (RFC 9112 §5, RFC 9110 §5.5)
  { id: 'field-space-before-colon', rfc: 'RFC 9112 §5.1 (MUST 400)', send: get('X-A : 1'), expect: [400] },
  { id: 'field-tab-before-colon', rfc: 'RFC 9112 §5.1 (MUST 400)', send: get('X-A\t: 1'), expect: [400] },
  { id: 'field-leading-space-first', rfc: 'RFC 9112 §2.2 (whitespace before the first field)', send: head('GET / HTTP/1.1', ' Host: a.example'), expect: [400] },
  { id: 'field-obs-fold-space', rfc: 'RFC 9112 §5.2 (obs-fold: 400)', send: get('X-A: 1', ' 2'), expect: [400] },
  { id: 'field-obs-fold-tab', rfc: 'RFC 9112 §5.2 (obs-fold: 400)', send: get('X-A: 1', '\t2'), expect: [400] },
  { id: 'field-empty-name', rfc: 'RFC 9110 §5.1 (field-name = token)', send: get(': 1'), expect: [400] },
  { id: 'field-no-colon', rfc: 'RFC 9112 §5', send: get('X-A 1'), expect: [400] },
  { id: 'field-space-in-name', rfc: 'RFC 9110 §5.1', send: get('X A: 1'), expect: [400] },
  { id: 'field-paren-in-name', rfc: 'RFC 9110 §5.1 (tchar)', send: get('X(A): 1'), expect: [400] },
  { id: 'field-slash-in-name', rfc: 'RFC 9110 §5.1 (tchar)', send: get('X/A: 1'), expect: [400] },
  { id: 'field-nonascii-name', rfc: 'RFC 9110 §5.1 (tchar)', send: get('X-\xe9: 1'), expect: [400] },
  { id: 'field-bare-cr-value', rfc: 'RFC 9110 §5.5 (CR is invalid in a value)', send: get('X-A: 1\r2'), expect: [400] },
  { id: 'field-bare-lf-value', rfc: 'RFC 9112 §2.2 (strict: CRLF)', send: get('X-A: 1\n2: 3'), expect: [400] },
  { id: 'field-bare-lf-end', rfc: 'RFC 9112 §2.2 (strict: CRLF)', send: 'GET / HTTP/1.1\r\nHost: a.example\r\n\n', expect: [400] },
  ...CONTROLS.map((c): CorpusCase => ({ id: `field-ctl-${hex(c)}-in-value`, rfc: 'RFC 9110 §5.5 (no CTL in a value)', send: get(`X-A: 1${String.fromCharCode(c)}2`), expect: [400] })),
  ...CONTROLS.map((c): CorpusCase => ({ id: `field-ctl-${hex(c)}-in-name`, rfc: 'RFC 9110 §5.1 (no CTL in a name)', send: get(`X-${String.fromCharCode(c)}A: 1`), expect: [400] })),
  { id: 'field-obs-text-value', rfc: 'RFC 9110 §5.5 (obs-text is allowed)', send: get('X-A: caf\xe9'), expect: ['app'] },
  { id: 'field-htab-value', rfc: 'RFC 9110 §5.5 (HTAB inside a value)', send: get('X-A: 1\t2'), expect: ['app'], sees: seesHeader('x-a', '1\t2') },
  { id: 'field-ows-trimmed', rfc: 'RFC 9112 §5.1 (OWS around the value is not part of it)', send: get('X-A: \t 1 \t '), expect: ['app'], sees: seesHeader('x-a', '1') },
  { id: 'field-empty-value', rfc: 'RFC 9110 §5.5 (a value may be empty)', send: get('X-A:'), expect: ['app'], sees: seesHeader('x-a', '') },
  { id: 'field-name-case', rfc: 'RFC 9110 §5.1 (names are case-insensitive)', send: head('GET / HTTP/1.1', 'hOsT: a.example', 'x-MiXeD: 1'), expect: ['app'] },
  { id: 'field-all-tchars', rfc: 'RFC 9110 §5.6.2 (tchar)', send: get("!#$%&'*+-.^`|~09azAZ: 1"), expect: ['app'] },
  { id: 'field-underscore-dropped', rfc: "Gunicorn header_map 'drop' (RFC 9110 §5.1 allows _, proxies map it to -)", send: get('X_Forwarded_For: 10.0.0.1'), expect: ['app'], sees: seesHeader('x_forwarded_for', undefined) },
  { id: 'field-underscore-beside-dash', rfc: "Gunicorn header_map 'drop'", send: get('X-Real: a', 'X_Real: b'), expect: ['app'], sees: seesHeader('x-real', 'a') },
  // Limits (Gunicorn limit_request_fields 100, limit_request_field_size 8190; RFC 6585 §5: 431)
  { id: 'limit-100-fields', rfc: 'limit_request_fields 100', send: head('GET / HTTP/1.1', 'Host: a.example', ...many(99)), expect: ['app'], sees: seesFields(100) },
  { id: 'limit-101-fields', rfc: 'RFC 6585 §5 (431), limit_request_fields 100', send: head('GET / HTTP/1.1', 'Host: a.example', ...many(100)), expect: [431] },
  { id: 'limit-2500-fields', rfc: 'RFC 6585 §5 (431: reject, never truncate)', send: head('GET / HTTP/1.1', 'Host: a.example', ...many(2499)), expect: [431] },
  { id: 'limit-field-at-size', rfc: 'limit_request_field_size 8190', send: get(`X-A: ${'v'.repeat(8190 - 'X-A: '.length)}`), expect: ['app'] },
  { id: 'limit-field-over-size', rfc: 'RFC 6585 §5 (431), limit_request_field_size 8190', send: get(`X-A: ${'v'.repeat(8191 - 'X-A: '.length)}`), expect: [431] },
  { id: 'limit-long-name', rfc: 'RFC 6585 §5 (431)', send: get(`X-${'n'.repeat(9000)}: 1`), expect: [431] },
  { id: 'limit-huge-field', rfc: 'RFC 6585 §5 (431)', send: get(`X-A: ${'v'.repeat(100_000)}`), expect: [431] },
  { id: 'limit-body-at', rfc: 'request body limit (--limit-request-body 1000)', send: post([`Content-Length: ${BODY_LIMIT}`], 'b'.repeat(BODY_LIMIT)), expect: ['app'], sees: seesBody(BODY_LIMIT) },
  { id: 'limit-body-over', rfc: 'RFC 9110 §15.5.14 (413)', send: post([`Content-Length: ${BODY_LIMIT + 1}`], 'b'.repeat(BODY_LIMIT + 1)), expect: [413] },
  { id: 'limit-body-over-continue', rfc: 'RFC 9110 §10.1.1 (413 instead of 100 Continue)', send: post([`Content-Length: ${BODY_LIMIT + 1}`, 'Expect: 100-continue'], ''), expect: [413] },
  { id: 'limit-body-chunked-over', rfc: 'RFC 9110 §15.5.14 (413)', send: chunked(`${(BODY_LIMIT + 1).toString(16)}\r\n${'b'.repeat(BODY_LIMIT + 1)}\r\n0\r\n\r\n`), expect: [413] },
  { id: 'limit-body-chunked-at', rfc: 'request body limit', send: chunked(`1f4\r\n${'b'.repeat(500)}\r\n1f4\r\n${'b'.repeat(500)}\r\n0\r\n\r\n`), expect: ['app'], sees: seesBody(1000) },
  // Content-Length (RFC 9112 §6.3, RFC 9110 §8.6)
  { id: 'cl-plain', rfc: 'RFC 9110 §8.6', send: post(['Content-Length: 5'], 'hello'), expect: ['app'], sees: seesBody(5) },
  { id: 'cl-zero', rfc: 'RFC 9110 §8.6', send: post(['Content-Length: 0'], ''), expect: ['app'], sees: seesBody(0) },
  { id: 'cl-leading-zeros', rfc: 'RFC 9110 §8.6 (1*DIGIT)', send: post(['Content-Length: 005'], 'hello'), expect: ['app'], sees: seesBody(5) },
  { id: 'cl-get-with-body', rfc: 'RFC 9110 §9.3.1 (framing holds for any method)', send: head('GET / HTTP/1.1', 'Host: a.example', 'Content-Length: 3') + 'abc', expect: ['app'], sees: seesBody(3) },
  { id: 'cl-no-framing', rfc: 'RFC 9112 §6.3 (no length: no body)', send: head('POST / HTTP/1.1', 'Host: a.example'), expect: ['app'], sees: seesBody(0) },
  { id: 'cl-letters', rfc: 'RFC 9112 §6.3 (invalid Content-Length: 400)', send: post(['Content-Length: abc'], ''), expect: [400] },
  { id: 'cl-negative', rfc: 'RFC 9112 §6.3', send: post(['Content-Length: -1'], ''), expect: [400] },
  { id: 'cl-plus', rfc: 'RFC 9112 §6.3', send: post(['Content-Length: +5'], 'hello'), expect: [400] },
  { id: 'cl-hex', rfc: 'RFC 9112 §6.3', send: post(['Content-Length: 0x5'], 'hello'), expect: [400] },
  { id: 'cl-space-inside', rfc: 'RFC 9112 §6.3', send: post(['Content-Length: 1 0'], 'helloworld'), expect: [400] },
  { id: 'cl-decimal', rfc: 'RFC 9112 §6.3', send: post(['Content-Length: 5.0'], 'hello'), expect: [400] },
  { id: 'cl-empty', rfc: 'RFC 9112 §6.3', send: post(['Content-Length:'], ''), expect: [400] },
  { id: 'cl-list-same', rfc: 'RFC 9110 §8.6 (a list: rejected)', send: post(['Content-Length: 5, 5'], 'hello'), expect: [400] },
  { id: 'cl-list-different', rfc: 'RFC 9112 §6.3', send: post(['Content-Length: 5, 6'], 'hello'), expect: [400] },
  { id: 'cl-twice-same', rfc: 'RFC 9110 §8.6 (duplicates: rejected)', send: post(['Content-Length: 5', 'Content-Length: 5'], 'hello'), expect: [400] },
  { id: 'cl-twice-different', rfc: 'RFC 9112 §6.3 (MUST 400)', send: post(['Content-Length: 5', 'Content-Length: 6'], 'hello'), expect: [400] },
  { id: 'cl-overflow', rfc: 'RFC 9112 §6.3', send: post(['Content-Length: 99999999999999999999999'], ''), expect: [400] },
  { id: 'cl-and-te', rfc: 'RFC 9112 §6.1 (both: 400 and close)', send: post(['Content-Length: 5', 'Transfer-Encoding: chunked'], '0\r\n\r\n'), expect: [400] },
  { id: 'te-and-cl', rfc: 'RFC 9112 §6.1 (both: 400 and close)', send: post(['Transfer-Encoding: chunked', 'Content-Length: 5'], '0\r\n\r\n'), expect: [400] },
  // Transfer-Encoding (RFC 9112 §6.1, §7)
  { id: 'te-chunked', rfc: 'RFC 9112 §7.1', send: chunked('5\r\nhello\r\n0\r\n\r\n'), expect: ['app'], sees: seesBody(5) },
  { id: 'te-chunked-case', rfc: 'RFC 9112 §7 (codings are case-insensitive)', send: post(['Transfer-Encoding: ChUnKeD'], '5\r\nhello\r\n0\r\n\r\n'), expect: ['app'], sees: seesBody(5) },
  { id: 'te-chunked-ows', rfc: 'RFC 9112 §5.1 (OWS around the value)', send: post(['Transfer-Encoding:  chunked \t'], '5\r\nhello\r\n0\r\n\r\n'), expect: ['app'], or: { expect: [400], because: 'llhttp refuses whitespace after the chunked coding: safe, if stricter than the RFC' } },
  { id: 'te-identity-chunked', rfc: 'RFC 9112 §7 (identity is not a coding: 501)', send: post(['Transfer-Encoding: identity, chunked'], '5\r\nhello\r\n0\r\n\r\n'), expect: [501] },
  { id: 'te-gzip-chunked', rfc: 'RFC 9112 §6.1 (501 for a coding not implemented)', send: post(['Transfer-Encoding: gzip, chunked'], '0\r\n\r\n'), expect: [501] },
  { id: 'te-unknown-chunked', rfc: 'RFC 9112 §6.1 (501)', send: post(['Transfer-Encoding: frob, chunked'], '0\r\n\r\n'), expect: [501] },
  { id: 'te-chunked-not-last', rfc: 'RFC 9112 §6.3 (chunked must be last: 400)', send: post(['Transfer-Encoding: chunked, gzip'], '0\r\n\r\n'), expect: [400] },
  { id: 'te-gzip-only', rfc: 'RFC 9112 §6.3 (no chunked: 400)', send: post(['Transfer-Encoding: gzip'], 'x'), expect: [400] },
  { id: 'te-chunked-twice', rfc: 'RFC 9112 §6.1 (chunked once)', send: post(['Transfer-Encoding: chunked, chunked'], '0\r\n\r\n'), expect: [400] },
  { id: 'te-two-fields', rfc: 'RFC 9112 §6.1 (chunked once, across fields)', send: post(['Transfer-Encoding: chunked', 'Transfer-Encoding: chunked'], '0\r\n\r\n'), expect: [400] },
  { id: 'te-empty', rfc: 'RFC 9112 §6.1', send: post(['Transfer-Encoding:'], ''), expect: [400] },
  { id: 'te-xchunked', rfc: 'RFC 9112 §6.3', send: post(['Transfer-Encoding: xchunked'], '0\r\n\r\n'), expect: [400] },
  { id: 'te-chunked-semicolon', rfc: 'RFC 9112 §7 (no parameters on chunked)', send: post(['Transfer-Encoding: chunked;q=1'], '0\r\n\r\n'), expect: [400] },
  { id: 'te-http10', rfc: 'RFC 9112 §6.1 (Transfer-Encoding in HTTP/1.0: 400)', send: head('POST / HTTP/1.0', 'Host: a.example', 'Transfer-Encoding: chunked') + '5\r\nhello\r\n0\r\n\r\n', expect: [400] },
  // Chunks (RFC 9112 §7.1)
  { id: 'chunk-leading-zeros', rfc: 'RFC 9112 §7.1 (chunk-size = 1*HEXDIG)', send: chunked('005\r\nhello\r\n0\r\n\r\n'), expect: ['app'], sees: seesBody(5) },
  { id: 'chunk-uppercase-hex', rfc: 'RFC 9112 §7.1', send: chunked(`A\r\n${'x'.repeat(10)}\r\n0\r\n\r\n`), expect: ['app'], sees: seesBody(10) },
  { id: 'chunk-several', rfc: 'RFC 9112 §7.1', send: chunked('1\r\na\r\n2\r\nbb\r\n3\r\nccc\r\n0\r\n\r\n'), expect: ['app'], sees: seesBody(6) },
  { id: 'chunk-ext', rfc: 'RFC 9112 §7.1.1', send: chunked('5;a=b\r\nhello\r\n0\r\n\r\n'), expect: ['app'], sees: seesBody(5) },
  { id: 'chunk-ext-no-value', rfc: 'RFC 9112 §7.1.1', send: chunked('5;a\r\nhello\r\n0\r\n\r\n'), expect: ['app'] },
  { id: 'chunk-ext-quoted', rfc: 'RFC 9112 §7.1.1', send: chunked('5;a="b c"\r\nhello\r\n0\r\n\r\n'), expect: ['app'] },
  { id: 'chunk-ext-bws', rfc: 'RFC 9112 §7.1.1 (BWS around ;)', send: chunked('5 ; a=b\r\nhello\r\n0\r\n\r\n'), expect: ['app'], or: { expect: [400], because: 'BWS is never generated (RFC 9110 §5.6.3); llhttp refuses it: safe, if stricter than the RFC' } },
  { id: 'chunk-ext-on-last', rfc: 'RFC 9112 §7.1.1', send: chunked('5\r\nhello\r\n0;a=b\r\n\r\n'), expect: ['app'] },
  { id: 'chunk-ext-empty-name', rfc: 'RFC 9112 §7.1.1 (chunk-ext-name = token)', send: chunked('5;=b\r\nhello\r\n0\r\n\r\n'), expect: [400], or: { expect: ['app'], because: 'a recipient MUST ignore chunk extensions it does not recognize (RFC 9112 §7.1.1): the framing is unaffected' } },
  { id: 'chunk-ext-bad-char', rfc: 'RFC 9112 §7.1.1', send: chunked('5;a\x01=b\r\nhello\r\n0\r\n\r\n'), expect: [400] },
  { id: 'chunk-ext-bare-cr', rfc: 'RFC 9112 §7.1.1', send: chunked('5;a=b\rc\r\nhello\r\n0\r\n\r\n'), expect: [400] },
  { id: 'chunk-ext-bare-lf', rfc: 'RFC 9112 §7.1 (CRLF ends the chunk-size line)', send: chunked('5;a=b\nhello\r\n0\r\n\r\n'), expect: [400] },
  { id: 'chunk-size-not-hex', rfc: 'RFC 9112 §7.1', send: chunked('g\r\nhello\r\n0\r\n\r\n'), expect: [400] },
  { id: 'chunk-size-leading-space', rfc: 'RFC 9112 §7.1', send: chunked(' 5\r\nhello\r\n0\r\n\r\n'), expect: [400] },
  { id: 'chunk-size-trailing-space', rfc: 'RFC 9112 §7.1 (BWS only before ;)', send: chunked('5 \r\nhello\r\n0\r\n\r\n'), expect: [400] },
  { id: 'chunk-size-negative', rfc: 'RFC 9112 §7.1', send: chunked('-5\r\nhello\r\n0\r\n\r\n'), expect: [400] },
  { id: 'chunk-size-0x', rfc: 'RFC 9112 §7.1', send: chunked('0x5\r\nhello\r\n0\r\n\r\n'), expect: [400] },
  { id: 'chunk-size-overflow', rfc: 'RFC 9112 §7.1', send: chunked('fffffffffffffffff\r\nhello\r\n0\r\n\r\n'), expect: [400] },
  { id: 'chunk-size-empty', rfc: 'RFC 9112 §7.1', send: chunked('\r\nhello\r\n0\r\n\r\n'), expect: [400] },
  { id: 'chunk-size-bare-lf', rfc: 'RFC 9112 §7.1', send: chunked('5\nhello\r\n0\r\n\r\n'), expect: [400] },
  { id: 'chunk-data-too-long', rfc: 'RFC 9112 §7.1 (CRLF after chunk-data)', send: chunked('3\r\nhello\r\n0\r\n\r\n'), expect: [400] },
  { id: 'chunk-data-no-crlf', rfc: 'RFC 9112 §7.1', send: chunked('5\r\nhello0\r\n\r\n'), expect: [400] },
  { id: 'chunk-data-bare-lf', rfc: 'RFC 9112 §7.1', send: chunked('5\r\nhello\n0\r\n\r\n'), expect: [400] },
  { id: 'chunk-data-lf-cr', rfc: 'RFC 9112 §7.1', send: chunked('5\r\nhello\n\r0\r\n\r\n'), expect: [400] },
  // Trailers (RFC 9112 §7.1.2, RFC 9110 §6.5.1)
  { id: 'trailer-allowed', rfc: 'RFC 9112 §7.1.2', send: chunked('5\r\nhello\r\n0\r\nX-Checksum: 1\r\n\r\n'), expect: ['app'], sees: seesBody(5) },
  ...['Host', 'Content-Length', 'Transfer-Encoding', 'Content-Type', 'Authorization', 'Expect', 'Range', 'Trailer', 'Cache-Control', 'Content-Encoding'].map(
    (name): CorpusCase => ({ id: `trailer-forbidden-${name.toLowerCase()}`, rfc: 'RFC 9110 §6.5.1 (framing, routing, controls, authentication: not in a trailer)', send: chunked(`5\r\nhello\r\n0\r\n${name}: 1\r\n\r\n`), expect: [400] }),
  ),
  { id: 'trailer-obs-fold', rfc: 'RFC 9112 §5.2', send: chunked('5\r\nhello\r\n0\r\nX-A: 1\r\n 2\r\n\r\n'), expect: [400] },
  { id: 'trailer-space-before-colon', rfc: 'RFC 9112 §5.1', send: chunked('5\r\nhello\r\n0\r\nX-A : 1\r\n\r\n'), expect: [400] },
  { id: 'trailer-ctl', rfc: 'RFC 9110 §5.5', send: chunked('5\r\nhello\r\n0\r\nX-A: 1\x01\r\n\r\n'), expect: [400] },
  // Fields that appear once (RFC 9110 §5.3)
  ...SINGLETONS.map((name): CorpusCase => {
    const [a, b] = SINGLETON_VALUES[name] ?? ['one', 'two']
    const fields = name === 'Host' ? [`Host: ${a}`, `Host: ${b}`] : ['Host: a.example', `${name}: ${a}`, `${name}: ${b}`]
    return { id: `once-${name.toLowerCase()}`, rfc: 'RFC 9110 §5.3 (not a list: one field only)', send: head('GET / HTTP/1.1', ...fields), expect: [400] }
  }),
  { id: 'once-host-same-value', rfc: 'RFC 9112 §3.2 (MUST 400 for more than one Host)', send: head('GET / HTTP/1.1', 'Host: a.example', 'Host: a.example'), expect: [400] },
  { id: 'list-cookie-twice', rfc: 'RFC 6265 §5.4 (a list across fields)', send: get('Cookie: a=1', 'Cookie: b=2'), expect: ['app'] },
  { id: 'list-accept-twice', rfc: 'RFC 9110 §5.3 (lists combine)', send: get('Accept: text/html', 'Accept: text/plain'), expect: ['app'] },
  { id: 'list-custom-twice', rfc: 'RFC 9110 §5.3', send: get('X-A: 1', 'X-A: 2'), expect: ['app'] },
  // Methods (RFC 9110 §9)
  ...['HEAD', 'OPTIONS', 'DELETE', 'PUT', 'PATCH', 'TRACE', 'PROPFIND', 'PURGE'].map((method): CorpusCase => ({
    id: `method-${method.toLowerCase()}`, rfc: 'RFC 9110 §9.3', send: head(`${method} / HTTP/1.1`, 'Host: a.example', 'Content-Length: 0'), expect: ['app'],
  })),
  // Expect (RFC 9110 §10.1.1)
  { id: 'expect-continue', rfc: 'RFC 9110 §10.1.1', send: post(['Content-Length: 5', 'Expect: 100-continue'], 'hello'), expect: [100, 'app'] },
  { id: 'expect-unknown', rfc: 'RFC 9110 §10.1.1 (417 for an expectation not met)', send: post(['Content-Length: 0', 'Expect: teapot'], ''), expect: [417], close: undefined },
  { id: 'expect-http10', rfc: 'RFC 9110 §10.1.1 (ignore 100-continue from HTTP/1.0)', send: head('POST / HTTP/1.0', 'Host: a.example', 'Content-Length: 5', 'Expect: 100-continue') + 'hello', expect: ['app'], close: true },
  // Connection management and pipelining (RFC 9112 §9)
  { id: 'conn-close', rfc: 'RFC 9112 §9.6', send: get('Connection: close'), expect: ['app'], close: true },
  { id: 'conn-http10', rfc: 'RFC 9112 §9.3 (HTTP/1.0 closes by default)', send: head('GET / HTTP/1.0', 'Host: a.example'), expect: ['app'], close: true },
  { id: 'conn-upgrade-unhandled', rfc: 'RFC 9110 §7.8 (an Upgrade the server ignores)', send: get('Connection: Upgrade', 'Upgrade: websocket'), expect: ['app'] },
  { id: 'pipeline-three', rfc: 'RFC 9112 §9.3.2', send: get() + get() + get(), expect: ['app', 'app', 'app'] },
  { id: 'pipeline-post-then-get', rfc: 'RFC 9112 §9.3.2', send: post(['Content-Length: 5'], 'hello') + get(), expect: ['app', 'app'] },
  { id: 'pipeline-good-then-bad', rfc: 'RFC 9112 §9.3.2 (answers in order; the 400 last)', send: get() + 'GET / HTTP/1.1\r\nHost : a\r\n\r\n', expect: ['app', 400] },
  { id: 'pipeline-two-good-then-bad', rfc: 'RFC 9112 §9.3.2', send: get() + get() + 'BAD\x01 / HTTP/1.1\r\n\r\n', expect: ['app', 'app', 400] },
  { id: 'pipeline-good-then-refused', rfc: 'RFC 9112 §9.3.2 (a refusal after a served request)', send: get() + head('GET / HTTP/1.1', 'Host: a', 'Host: b'), expect: ['app', 400] },
  { id: 'pipeline-http10-then-bad', rfc: 'RFC 9112 §9.3 (the HTTP/1.0 answer first, then close)', send: head('GET / HTTP/1.0', 'Host: a.example') + 'GET / HTTP/1.1\r\nX : y\r\n\r\n', expect: ['app'], close: true },
  { id: 'pipeline-http10-keepalive-then-bad', rfc: 'RFC 9112 §9.3 (answers in order)', send: head('GET / HTTP/1.0', 'Host: a.example', 'Connection: keep-alive') + 'GET / HTTP/1.1\r\nX : y\r\n\r\n', expect: ['app', 400] },
  { id: 'pipeline-close-stops', rfc: 'RFC 9112 §9.6 (nothing after Connection: close)', send: get('Connection: close') + get(), expect: ['app'], close: true },
  { id: 'pipeline-bad-body-after-good', rfc: 'RFC 9112 §9.3.2', send: get() + post(['Content-Length: x'], ''), expect: ['app', 400] },
]
