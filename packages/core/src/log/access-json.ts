import type { OutgoingHttpHeader } from 'node:http'
import { type AccessEntry, basicAuthUser, environValue, splitTarget } from './access-format.js'

type Header = string | string[] | number | OutgoingHttpHeader | undefined

const text = (value: Header): string | null => (value === undefined || value === '' ? null : Array.isArray(value) ? value.join(', ') : String(value))
const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)

/** The `{name}i`, `{name}o` and `{var}e` atoms of a template, by where their value comes from. */
function namedAtoms(atoms: readonly string[], source: 'i' | 'o' | 'e'): string[] {
  return atoms.filter((a) => a.startsWith('{') && a.endsWith(`}${source}`)).map((a) => a.slice(1, -2))
}

function pick(names: readonly string[], read: (name: string) => string | null): Record<string, string | null> | undefined {
  if (names.length === 0) return undefined
  const out: Record<string, string | null> = {}
  for (const name of names) out[name] = read(name)
  return out
}

/**
 * The access log's JSON line: `message` is the text line, and every atom is a field of its own,
 * unescaped (JSON escapes what a client sent), numbers as numbers and absent values as null.
 * Headers and variables appear when the template names them, under their names as written.
 */
export function compileAccessJson(atoms: readonly string[]): (entry: AccessEntry, message: string) => string {
  const requestHeaders = namedAtoms(atoms, 'i')
  const responseHeaders = namedAtoms(atoms, 'o')
  const variables = namedAtoms(atoms, 'e')
  return (e, message) => {
    const [path, query] = splitTarget(e.url)
    const us = e.durationMicros
    return `${JSON.stringify({
      time: new Date().toISOString(),
      level: 'info',
      message,
      remote_addr: e.remoteAddress || null,
      method: e.method,
      request: `${e.method} ${e.url} HTTP/${e.httpVersion}`,
      status: e.status,
      path,
      query: query || null,
      protocol: `HTTP/${e.httpVersion}`,
      scheme: e.scheme,
      bytes: e.responseBytes,
      user: basicAuthUser(single(e.requestHeaders.authorization)) ?? null,
      referer: text(e.requestHeaders.referer),
      user_agent: text(e.requestHeaders['user-agent']),
      request_start: e.start.toISOString(),
      duration: us / 1e6,
      duration_s: Math.floor(us / 1e6),
      duration_ms: Math.floor(us / 1e3),
      duration_us: Math.round(us),
      pid: process.pid,
      request_headers: pick(requestHeaders, (name) => text(e.requestHeaders[name.toLowerCase()])),
      response_headers: pick(responseHeaders, (name) => text(e.responseHeader(name.toLowerCase()))),
      env: pick(variables, (name) => environValue(name, e) ?? null),
    })}\n`
  }
}
