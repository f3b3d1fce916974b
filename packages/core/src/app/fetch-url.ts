import { proxyTrust } from '../http/forwarded.js'
import type { NodeRequest } from './fetch-node-types.js'

// Targets and hosts that `new URL()` would return unchanged: joined as strings, no parse.
// Anything else (dot segments, characters it would encode, IPv6, IDN, default ports) is parsed.
const PLAIN_TARGET = /^\/[\w\-.~!$&()*+,;=:@/?%]*$/
const DOT_SEGMENT = /\/\.\.?(?:[/?]|$)/
const PLAIN_HOST = /^(?:(?:[a-z\d-]+\.)*[a-z][a-z\d-]*|(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d))(?::(?:[1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d\d|655[0-2]\d|6553[0-5]))?$/

/** The absolute URL of a request, as `Request.url` spells it. */
export function requestUrl(req: NodeRequest): string {
  // HTTP/2 carries the host as :authority.
  const host = req.headers.host ?? (req.headers[':authority'] as string | undefined) ?? 'localhost'
  const encrypted = req.headers[':scheme'] === 'https' || (req.socket as { encrypted?: boolean } | undefined)?.encrypted === true
  const trust = proxyTrust()
  // A trusted proxy in front says whether the client spoke https (--secure-scheme-headers). The
  // peer (a getter into the socket) is read only when the request carries such a header.
  const https = trust?.namesScheme(req.headers) ? trust.scheme(req.headers, req.socket?.remoteAddress, encrypted) === 'https' : encrypted
  return absoluteUrl(https ? 'https' : 'http', host, req.url ?? '/')
}

/** The last URL joined, and what from: a keep-alive client often asks for the same one again. */
let last = { scheme: '', host: '', target: '', url: '' }

/** `scheme://host` and the request target as `Request.url` spells them (any engine). */
export function absoluteUrl(scheme: 'http' | 'https', host: string, target: string): string {
  if (target === last.target && host === last.host && scheme === last.scheme) return last.url
  const url = joinUrl(scheme, host, target)
  last = { scheme, host, target, url }
  return url
}

function joinUrl(scheme: 'http' | 'https', host: string, target: string): string {
  const defaultPort = host.endsWith(scheme === 'https' ? ':443' : ':80')
  if (!defaultPort && plainHost(host) && PLAIN_TARGET.test(target) && !DOT_SEGMENT.test(target)) return `${scheme}://${host}${target}`
  // Joined, not resolved: a target of `//x/y` is a path on this host, not another host.
  const path = target.startsWith('/') ? target : `/${target}`
  try {
    return new URL(`${scheme}://${host}${path}`).href
  } catch {
    return new URL(`http://localhost${path}`).href
  }
}

/** The last host found plain: a server mostly sees one, and the test is the costliest here. */
let lastPlainHost = ''
function plainHost(host: string): boolean {
  if (host === lastPlainHost) return true
  if (!PLAIN_HOST.test(host)) return false
  lastPlainHost = host
  return true
}
