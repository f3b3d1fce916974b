/** Where syslog lines go, as `--log-syslog-to` names it (Gunicorn's forms). */
export type SyslogAddress =
  | { transport: 'udp' | 'tcp'; host: string; port: number }
  | { transport: 'unix-dgram' | 'unix-stream'; path: string }

const DEFAULT_PORT = 514

/**
 * `udp://HOST:PORT`, `tcp://HOST:PORT` (port 514 if left out; `[v6]:PORT` for IPv6), or
 * `unix://PATH` with `#dgram` (the default: `/dev/log`, rsyslog, journald) or `#stream`.
 */
export function parseSyslogAddress(value: string): SyslogAddress {
  const match = /^(udp|tcp|unix):\/\/(.+)$/.exec(value)
  if (!match) throw new Error(`'${value}' is not udp://HOST:PORT, tcp://HOST:PORT or unix://PATH[#dgram|#stream]`)
  const [, scheme, rest] = match as unknown as [string, string, string]
  if (scheme === 'unix') {
    const hash = rest.lastIndexOf('#')
    const path = hash < 0 ? rest : rest.slice(0, hash)
    const type = hash < 0 ? 'dgram' : rest.slice(hash + 1)
    if (type !== 'dgram' && type !== 'stream') throw new Error(`'${value}': the socket type after # is dgram or stream, not '${type}'`)
    if (!path.startsWith('/')) throw new Error(`'${value}': a unix socket needs an absolute path (unix:///dev/log)`)
    return { transport: type === 'dgram' ? 'unix-dgram' : 'unix-stream', path }
  }
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest)
  const v4 = /^([^:[\]]+)(?::(\d+))?$/.exec(rest)
  const hostPort = v6 ?? v4
  if (!hostPort) throw new Error(`'${value}' is not ${scheme}://HOST:PORT`)
  const port = hostPort[2] === undefined ? DEFAULT_PORT : Number(hostPort[2])
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`'${value}': the port must be 1-65535`)
  return { transport: scheme as 'udp' | 'tcp', host: hostPort[1]!, port }
}

export function formatSyslogAddress(address: SyslogAddress): string {
  if (!('host' in address)) return `unix://${address.path}#${address.transport.slice(5)}`
  return `${address.transport}://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`
}
