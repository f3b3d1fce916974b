import { isAbsolute } from 'node:path'

/** Where `--statsd-host` sends: a UDP address, or a unix datagram socket (DogStatsD's, a sidecar's). */
export type StatsdAddress = { kind: 'udp'; host: string; port: number } | { kind: 'unix'; path: string }

const ACCEPTED = 'HOST:PORT, [IPv6]:PORT or unix://PATH'

/** Gunicorn's forms, `HOST:PORT` and `unix://PATH`; `unix:PATH` too, as `--bind` spells a unix socket. */
export function parseStatsdAddress(value: string): StatsdAddress {
  const unix = /^unix:(?:\/\/)?(.*)$/.exec(value)
  if (unix) {
    const path = unix[1]!
    if (!isAbsolute(path)) throw new Error(`'${value}': a unix socket needs an absolute path (unix:///run/statsd.sock)`)
    return { kind: 'unix', path }
  }
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(value)
  const port = Number(match?.[3])
  if (!match || port < 1 || port > 65535) throw new Error(`'${value}' is not ${ACCEPTED}`)
  return { kind: 'udp', host: (match[1] ?? match[2])!, port }
}

export function formatStatsdAddress(address: StatsdAddress): string {
  return address.kind === 'unix' ? `unix://${address.path}` : `${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`
}
