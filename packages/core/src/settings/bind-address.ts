import { isIP } from 'node:net'
import type { BindAddress } from './types.js'

const DEFAULT_PORT = 8000
const ACCEPTED = 'HOST, HOST:PORT, [IPv6]:PORT, unix:PATH or fd://N'

/** Parses one `--bind` value the way Gunicorn does; throws a message naming what is accepted. */
export function parseBind(value: string): BindAddress {
  const invalid = (why: string) => new Error(`'${value}' is not a valid address (${why}); use ${ACCEPTED}`)
  if (value.startsWith('unix:')) {
    const path = value.slice('unix:'.length)
    if (!path) throw invalid('empty socket path')
    return { kind: 'unix', path }
  }
  if (value.startsWith('fd://')) {
    const text = value.slice('fd://'.length)
    const fd = Number(text)
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(fd)) throw invalid('the descriptor must be a whole number')
    return { kind: 'fd', fd }
  }
  let host: string
  let portText: string | undefined
  if (value.startsWith('[')) {
    const end = value.indexOf(']')
    if (end < 0) throw invalid("missing ']'")
    host = value.slice(1, end)
    const rest = value.slice(end + 1)
    if (rest && !rest.startsWith(':')) throw invalid("expected ':PORT' after ']'")
    portText = rest ? rest.slice(1) : undefined
    if (isIP(host) !== 6) throw invalid(`'${host}' is not an IPv6 address`)
  } else {
    const colon = value.lastIndexOf(':')
    if (colon >= 0 && value.indexOf(':') !== colon) throw invalid('wrap IPv6 addresses in brackets')
    host = colon >= 0 ? value.slice(0, colon) : value
    portText = colon >= 0 ? value.slice(colon + 1) : undefined
  }
  if (!host) host = '0.0.0.0'
  const port = portText === undefined ? DEFAULT_PORT : Number(portText)
  if (!/^\d+$/.test(portText ?? '0') || !Number.isInteger(port) || port > 65535) throw invalid('the port must be 0-65535')
  return { kind: 'tcp', host, port, ipv6: isIP(host) === 6 }
}

/** The address as an operator would write it, for log lines. */
export function formatBind(address: BindAddress): string {
  switch (address.kind) {
    case 'unix':
      return `unix:${address.path}`
    case 'fd':
      return `fd://${address.fd}`
    case 'tcp':
      return address.ipv6 ? `http://[${address.host}]:${address.port}` : `http://${address.host}:${address.port}`
  }
}
