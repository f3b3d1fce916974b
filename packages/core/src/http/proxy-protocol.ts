// PROXY protocol v1 (text) and v2 (binary) headers, as HAProxy's spec defines them: the address
// of the client a load balancer accepted, sent ahead of the HTTP bytes on the connection.

export interface ProxiedAddress {
  readonly address: string
  readonly port: number
  readonly family: 'IPv4' | 'IPv6'
}

/** A whole header: how many bytes it took, and the client (none for LOCAL / UNKNOWN: the connection speaks for itself). */
export interface ProxyHeader {
  readonly length: number
  readonly source: ProxiedAddress | undefined
}

export type ProxyParse = ProxyHeader | 'none' | 'incomplete' | { readonly error: string }

const V1 = Buffer.from('PROXY ')
const V2 = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a])
/** v1's longest line, CRLF included. */
const V1_MAX = 107

/** Whether `data` starts with a PROXY header (as far as it goes), and the header once whole. */
export function parseProxyHeader(data: Buffer): ProxyParse {
  if (startsLike(data, V2)) return data.length < 16 ? 'incomplete' : parseV2(data)
  if (startsLike(data, V1)) return data.length < V1.length ? 'incomplete' : parseV1(data)
  return 'none'
}

function startsLike(data: Buffer, signature: Buffer): boolean {
  const n = Math.min(data.length, signature.length)
  return data.subarray(0, n).equals(signature.subarray(0, n))
}

function parseV1(data: Buffer): ProxyParse {
  const end = data.indexOf('\r\n')
  if (end < 0) return data.length >= V1_MAX ? { error: 'a PROXY v1 line longer than 107 bytes' } : 'incomplete'
  const parts = data.subarray(0, end).toString('latin1').split(' ')
  const length = end + 2
  if (parts[1] === 'UNKNOWN') return { length, source: undefined }
  const [, protocol, source, , sourcePort] = parts
  if (parts.length !== 6 || (protocol !== 'TCP4' && protocol !== 'TCP6')) return { error: 'a malformed PROXY v1 line' }
  const port = Number(sourcePort)
  if (!/^\d{1,5}$/.test(sourcePort!) || port > 65535) return { error: 'a PROXY v1 line with a bad port' }
  const family = protocol === 'TCP4' ? 'IPv4' : 'IPv6'
  if ((family === 'IPv4') !== /^\d{1,3}(\.\d{1,3}){3}$/.test(source!)) return { error: 'a PROXY v1 line with a bad address' }
  return { length, source: { address: source!, port, family } }
}

function parseV2(data: Buffer): ProxyParse {
  const versionCommand = data[12]!
  if (versionCommand >> 4 !== 2) return { error: 'a PROXY v2 header of another version' }
  const command = versionCommand & 0x0f
  const length = 16 + data.readUInt16BE(14)
  if (data.length < length) return 'incomplete'
  if (command === 0) return { length, source: undefined } // LOCAL: the proxy's own connection (health checks)
  if (command !== 1) return { error: 'a PROXY v2 header with an unknown command' }
  const family = data[13]! >> 4
  if (family === 1 && length >= 16 + 12) {
    const address = [...data.subarray(16, 20)].join('.')
    return { length, source: { address, port: data.readUInt16BE(24), family: 'IPv4' } }
  }
  if (family === 2 && length >= 16 + 36) {
    const groups: string[] = []
    for (let i = 0; i < 16; i += 2) groups.push(data.readUInt16BE(16 + i).toString(16))
    const address = new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1)
    return { length, source: { address, port: data.readUInt16BE(48), family: 'IPv6' } }
  }
  // AF_UNSPEC or AF_UNIX: nothing to say about the client.
  return { length, source: undefined }
}
