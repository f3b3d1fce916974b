import { HTTP1_ONLY } from './fetch-node-types.js'

export type OutgoingHeaders = Record<string, string | string[]>

/**
 * A response's headers as one object for `writeHead`: lower-case names, `set-cookie` as a list,
 * and on HTTP/2 no connection-specific header.
 */
export function outgoingHeaders(init: HeadersInit | undefined, http2: boolean, defaultType: string | undefined): OutgoingHeaders {
  const out: OutgoingHeaders = {}
  if (init instanceof Headers) {
    for (const [name, value] of init) if (name !== 'set-cookie') out[name] = value
    const cookies = init.getSetCookie()
    if (cookies.length) out['set-cookie'] = cookies
  } else if (Array.isArray(init)) {
    for (const [name, value] of init) add(out, lowerName(name!), String(value))
  } else if (init) {
    for (const name in init) add(out, lowerName(name), String((init as Record<string, string>)[name]))
  }
  if (http2) for (const name of HTTP1_ONLY) delete out[name]
  if (defaultType !== undefined && out['content-type'] === undefined) out['content-type'] = defaultType
  return out
}

/** Names whose presence makes the adapter change the headers (the body's framing is its to write). */
const FRAMING = new Set(['content-length', 'transfer-encoding', 'trailer'])

/**
 * The app's own header object, when node:http can take it as it is (HTTP/1 only): a plain object
 * of string values, with no framing header and a content type if one is due. It is read, never
 * changed: a copy per response is what this spares (Hono hands over a fresh
 * `{ 'Content-Type': … }` for every response). Names go out as the app spelled them, as
 * `@hono/node-server` sends them; an object with more than one name, one of them not lower-case,
 * could hold one name twice ('Content-Type' and 'content-type'), so it is copied and merged
 * instead. Else undefined.
 */
export function headersAsGiven(init: HeadersInit | undefined, defaultType: string | undefined): Readonly<OutgoingHeaders> | undefined {
  if (typeof init !== 'object' || init === null || Object.getPrototypeOf(init) !== Object.prototype) return undefined
  const given = init as Record<string, unknown>
  let typed = defaultType === undefined
  let names = 0
  let mixedCase = false
  for (const name in given) {
    const lower = lowerName(name)
    if (typeof given[name] !== 'string' || FRAMING.has(lower)) return undefined
    if (lower === 'content-type') typed = true
    if (lower !== name) mixedCase = true
    names++
  }
  if (mixedCase && names > 1) return undefined
  return typed ? (given as OutgoingHeaders) : undefined
}

/**
 * Header names as apps spell them ('Content-Type'), lower-cased once: a name lower-cased anew for
 * every response is a fresh string that each object key lookup must first find in V8's string table.
 */
const LOWER = new Map<string, string>()
function lowerName(name: string): string {
  let lower = LOWER.get(name)
  if (lower === undefined) {
    lower = name.toLowerCase()
    // Apps use a handful of names; a bound all the same, against names made per request.
    if (LOWER.size < 1000) LOWER.set(name, lower)
  }
  return lower
}

function add(out: OutgoingHeaders, name: string, value: string): void {
  const had = out[name]
  if (had === undefined) out[name] = name === 'set-cookie' ? [value] : value
  else if (Array.isArray(had)) had.push(value)
  else out[name] = `${had}, ${value}`
}
