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
    for (const [name, value] of init) add(out, name!.toLowerCase(), String(value))
  } else if (init) {
    for (const name in init) add(out, name.toLowerCase(), String((init as Record<string, string>)[name]))
  }
  if (http2) for (const name of HTTP1_ONLY) delete out[name]
  if (defaultType !== undefined && out['content-type'] === undefined) out['content-type'] = defaultType
  return out
}

function add(out: OutgoingHeaders, name: string, value: string): void {
  const had = out[name]
  if (had === undefined) out[name] = name === 'set-cookie' ? [value] : value
  else if (Array.isArray(had)) had.push(value)
  else out[name] = `${had}, ${value}`
}
