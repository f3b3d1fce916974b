import type { OutgoingHttpHeader } from 'node:http'
import { zoneOffset } from './timestamp.js'

/** What one finished request tells the access log. */
export interface AccessEntry {
  readonly remoteAddress: string
  readonly method: string
  /** The request target as received: path and query. */
  readonly url: string
  readonly httpVersion: string
  /** `https` on a TLS connection, or when a trusted proxy says so (`secureSchemeHeaders`). */
  readonly scheme: 'http' | 'https'
  readonly status: number
  readonly responseBytes: number
  readonly requestHeaders: Readonly<Record<string, string | string[] | undefined>>
  readonly responseHeader: (name: string) => OutgoingHttpHeader | undefined
  readonly start: Date
  readonly durationMicros: number
}

type Atom = (entry: AccessEntry) => string
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** Values a client controls are escaped, so no request can forge or split a log line. */
export function safe(value: string | undefined): string {
  if (value === undefined || value === '') return '-'
  return value.replace(/["\\\x00-\x1f\x7f]/g, (c) => (c === '"' || c === '\\' ? `\\${c}` : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`))
}

function header(value: string | string[] | number | undefined): string {
  return safe(Array.isArray(value) ? value.join(', ') : value === undefined ? undefined : String(value))
}

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)

export function splitTarget(url: string): [string, string] {
  const q = url.indexOf('?')
  return q < 0 ? [url, ''] : [url.slice(0, q), url.slice(q + 1)]
}

export function basicAuthUser(authorization: string | undefined): string | undefined {
  if (!authorization?.toLowerCase().startsWith('basic ')) return undefined
  const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  return colon > 0 ? decoded.slice(0, colon) : undefined
}

/** `[10/Oct/2000:13:55:36 -0700]`, as Gunicorn's `t`. */
export function clfTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `[${pad(date.getDate())}/${MONTHS[date.getMonth()]}/${date.getFullYear()}:${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())} ${zoneOffset(date)}]`
}

const ATOMS: Record<string, Atom> = {
  h: (e) => e.remoteAddress || '-',
  l: () => '-',
  u: (e) => safe(basicAuthUser(single(e.requestHeaders.authorization))),
  t: (e) => clfTime(e.start),
  r: (e) => safe(`${e.method} ${e.url} HTTP/${e.httpVersion}`),
  m: (e) => safe(e.method),
  U: (e) => safe(splitTarget(e.url)[0]),
  q: (e) => safe(splitTarget(e.url)[1]),
  H: (e) => `HTTP/${e.httpVersion}`,
  s: (e) => String(e.status),
  B: (e) => String(e.responseBytes),
  b: (e) => String(e.responseBytes),
  f: (e) => header(e.requestHeaders.referer),
  a: (e) => header(e.requestHeaders['user-agent']),
  T: (e) => String(Math.floor(e.durationMicros / 1e6)),
  M: (e) => String(Math.floor(e.durationMicros / 1e3)),
  D: (e) => String(Math.round(e.durationMicros)),
  L: (e) => (e.durationMicros / 1e6).toFixed(6),
  p: () => `<${process.pid}>`,
}

/** A compiled access-log format, and what of the response it reads (so nothing else is tracked). */
export interface AccessFormatter {
  (entry: AccessEntry): string
  /** `b`/`B`: the body bytes written. */
  readonly readsResponseBytes: boolean
  /** `{name}o`: response headers, including those passed straight to `writeHead`. */
  readonly readsResponseHeaders: boolean
  /** The atoms the format names, as written (`h`, `{x-id}i`): the JSON form adds each header and variable. */
  readonly atoms: readonly string[]
}

/** Compiles a Gunicorn `--access-logformat` (`%(h)s %({x-id}i)s …`) once into a formatter. */
export function compileAccessFormat(format: string): AccessFormatter {
  const parts: Array<string | Atom> = []
  const names: string[] = []
  const pattern = /%\(([^)]*)\)s/g
  let last = 0
  for (const match of format.matchAll(pattern)) {
    parts.push(format.slice(last, match.index))
    parts.push(atom(match[1]!))
    names.push(match[1]!)
    last = match.index! + match[0].length
  }
  parts.push(format.slice(last))
  const formatter = (entry: AccessEntry) => parts.map((part) => (typeof part === 'string' ? part : part(entry))).join('')
  return Object.assign(formatter, {
    readsResponseBytes: names.some((name) => name === 'b' || name === 'B'),
    readsResponseHeaders: names.some((name) => /^\{[^}]*\}o$/.test(name)),
    atoms: names,
  })
}

/**
 * `%({NAME}e)s`: Gunicorn reads the WSGI environ there, where `wsgi.url_scheme` is the request's
 * scheme; gu has that one per request and reads every other name from the environment.
 */
export function environValue(name: string, entry: AccessEntry): string | undefined {
  return name === 'wsgi.url_scheme' ? entry.scheme : process.env[name]
}

function atom(name: string): Atom {
  if (/^\{[^}]*\}[ioe]$/.test(name)) {
    const key = name.slice(1, name.indexOf('}')).toLowerCase()
    const source = name.at(-1)
    if (source === 'i') return (e) => header(e.requestHeaders[key])
    if (source === 'o') return (e) => header(e.responseHeader(key) as string | string[] | number | undefined)
    const variable = name.slice(1, name.indexOf('}'))
    return (e) => safe(environValue(variable, e))
  }
  const known = ATOMS[name]
  if (!known) throw new Error(`unknown access log atom '%(${name})s'; known atoms: ${Object.keys(ATOMS).join(' ')} {header}i {header}o {var}e`)
  return known
}
