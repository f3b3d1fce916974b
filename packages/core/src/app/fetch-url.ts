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
  // A trusted proxy in front says whether the client spoke https (--secure-scheme-headers).
  const https = trust ? trust.scheme(req.headers, req.socket?.remoteAddress, encrypted) === 'https' : encrypted
  const target = req.url ?? '/'
  const defaultPort = host.endsWith(https ? ':443' : ':80')
  if (!defaultPort && PLAIN_HOST.test(host) && PLAIN_TARGET.test(target) && !DOT_SEGMENT.test(target)) return `${https ? 'https' : 'http'}://${host}${target}`
  // Joined, not resolved: a target of `//x/y` is a path on this host, not another host.
  const path = target.startsWith('/') ? target : `/${target}`
  try {
    return new URL(`${https ? 'https' : 'http'}://${host}${path}`).href
  } catch {
    return new URL(`http://localhost${path}`).href
  }
}
