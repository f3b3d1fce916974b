// Which proxies gu believes (--forwarded-allow-ips), and what it takes from them: the client's
// address (X-Forwarded-For, or Forwarded's for=) and scheme (--secure-scheme-headers, or
// Forwarded's proto=). What the access log, hooks and fetch apps see as the client.
import { BlockList, isIP } from 'node:net'

type Headers = Readonly<Record<string, string | string[] | undefined>>

export interface ProxyTrustSettings {
  readonly forwardedAllowIps: string
  readonly secureSchemeHeaders: readonly string[]
}

/** Why `--forwarded-allow-ips` can't be read, or undefined. */
export function checkAllowIps(text: string): string | undefined {
  for (const entry of splitList(text)) {
    if (entry === '*') continue
    const [address, bits, extra] = entry.split('/')
    const family = isIP(address ?? '')
    if (!family || extra !== undefined) return `'${entry}' is not an IP address, a CIDR range (10.0.0.0/8, fd00::/8) or *`
    if (bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128))) return `'${entry}' has a prefix length out of range`
  }
  return undefined
}

const splitList = (text: string) => text.split(',').map((s) => s.trim()).filter(Boolean)
/** node reports IPv4 peers of a dual-stack socket as ::ffff:a.b.c.d. */
const unmapped = (address: string) => (address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address)

export class ProxyTrust {
  readonly #any: boolean
  readonly #list = new BlockList()
  /** Lower-case header name → the value that means https. */
  readonly #secure: ReadonlyArray<readonly [string, string]>
  readonly #cache = new Map<string, boolean>()
  /** The last peer asked about: a keep-alive connection asks on every request, twice on the fetch path. */
  #lastPeer = ''
  #lastTrusted = false

  constructor(settings: ProxyTrustSettings) {
    const entries = splitList(settings.forwardedAllowIps)
    this.#any = entries.includes('*')
    for (const entry of entries) {
      if (entry === '*') continue
      const [address, bits] = entry.split('/') as [string, string | undefined]
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4'
      if (bits === undefined) this.#list.addAddress(address, family)
      else this.#list.addSubnet(address, Number(bits), family)
    }
    this.#secure = settings.secureSchemeHeaders.map((entry) => {
      const at = entry.indexOf('=')
      return [entry.slice(0, at).trim().toLowerCase(), entry.slice(at + 1).trim().toLowerCase()] as const
    })
  }

  /** Whether forwarding headers from `peer` are believed. */
  trusts(peer: string | undefined): boolean {
    // A unix socket has no peer address and only local processes reach it: trusted, as Gunicorn does.
    if (this.#any || !peer) return true
    if (peer === this.#lastPeer) return this.#lastTrusted
    let trusted = this.#cache.get(peer)
    if (trusted === undefined) {
      const address = unmapped(peer)
      trusted = this.#list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4')
      // Peers are few (proxies, or clients that each get one entry): bounded all the same.
      if (this.#cache.size > 10_000) this.#cache.clear()
      this.#cache.set(peer, trusted)
    }
    this.#lastPeer = peer
    this.#lastTrusted = trusted
    return trusted
  }

  /**
   * The client: from a trusted peer, the last address in X-Forwarded-For (or Forwarded's for=)
   * that isn't itself a trusted proxy, reading from the nearest hop back; else the peer.
   */
  clientAddress(headers: Headers, peer: string | undefined): string | undefined {
    const xff = headers['x-forwarded-for']
    // Nothing forwarded (the usual request): the peer, with no lists made.
    if (xff === undefined && headers.forwarded === undefined) return peer
    if (!this.trusts(peer)) return peer
    const hops = xff !== undefined ? splitList(String(xff)) : forwardedValues(headers.forwarded, 'for')
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = bareAddress(hops[i]!)
      if (!hop) return peer
      if (i === 0 || !this.trusts(hop)) return hop
    }
    return peer
  }

  /** Whether the request carries a secure scheme header or `Forwarded`: only then may `scheme` differ from the connection's (an engine whose peer lookup costs can skip it). */
  namesScheme(headers: Headers): boolean {
    // Asked on every fetch request: an indexed loop, no iterator or destructuring.
    const secure = this.#secure
    for (let i = 0; i < secure.length; i++) if (headers[secure[i]![0]] !== undefined) return true
    return headers.forwarded !== undefined
  }

  /** https when a trusted peer says so with a secure scheme header (or Forwarded's proto=); else the connection's. */
  scheme(headers: Headers, peer: string | undefined, encrypted: boolean): 'http' | 'https' {
    const own = encrypted ? 'https' : 'http'
    if (!this.trusts(peer)) return own
    for (const [name, secure] of this.#secure) {
      const value = headers[name]
      if (value !== undefined) return String(value).trim().toLowerCase() === secure ? 'https' : 'http'
    }
    if (headers.forwarded === undefined) return own
    const proto = forwardedValues(headers.forwarded, 'proto').at(-1)?.toLowerCase()
    return proto === 'https' || proto === 'http' ? proto : own
  }
}

/** RFC 7239: each element's `name=` value, in order, quotes removed. */
function forwardedValues(header: string | string[] | undefined, name: string): string[] {
  if (header === undefined) return []
  const values: string[] = []
  for (const element of String(header).split(',')) {
    for (const pair of element.split(';')) {
      const at = pair.indexOf('=')
      if (at > 0 && pair.slice(0, at).trim().toLowerCase() === name) values.push(pair.slice(at + 1).trim().replace(/^"(.*)"$/, '$1'))
    }
  }
  return values
}

/** An IP from a forwarded hop (`1.2.3.4`, `1.2.3.4:5678`, `[::1]:80`, `::1`), or undefined for `unknown`, obfuscated names or junk. */
function bareAddress(hop: string): string | undefined {
  if (isIP(hop)) return hop
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hop)
  if (bracketed && isIP(bracketed[1]!) === 6) return bracketed[1]
  const withPort = /^([\d.]+):\d+$/.exec(hop)
  if (withPort && isIP(withPort[1]!) === 4) return withPort[1]
  return undefined
}

/** The worker's trust, set once at start (settings are the process's): read on every request. */
let current: ProxyTrust | undefined

export function configureProxyTrust(settings: ProxyTrustSettings): void {
  current = new ProxyTrust(settings)
}

export function proxyTrust(): ProxyTrust | undefined {
  return current
}
