import { readFileSync } from 'node:fs'

export interface ListenQueue {
  /** The port a listening TCP socket is bound to. */
  readonly port: number
  /** Connections the kernel has accepted that no worker has taken yet, summed over every socket on the port (SO_REUSEPORT). */
  readonly queued: number
}

const LISTEN = '0A'

/**
 * Linux's accept queues, as `ss -lnt` shows them in Recv-Q: for a socket in LISTEN state,
 * /proc/net/tcp's rx_queue is the number of connections waiting for accept(). Elsewhere: none.
 */
export function listenQueues(ports: ReadonlySet<number>): ListenQueue[] {
  const tables: string[] = []
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      tables.push(readFileSync(file, 'latin1'))
    } catch {
      // Not Linux, or no IPv6.
    }
  }
  return parseListenQueues(tables, ports)
}

/** The accept queues of `ports` in /proc/net/tcp-format tables. */
export function parseListenQueues(tables: readonly string[], ports: ReadonlySet<number>): ListenQueue[] {
  const queued = new Map<number, number>()
  for (const text of tables) {
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue ...
      const fields = line.trim().split(/\s+/)
      if (fields.length < 5 || fields[3] !== LISTEN) continue
      const port = parseInt(fields[1]!.split(':')[1]!, 16)
      if (!ports.has(port)) continue
      const rx = parseInt(fields[4]!.split(':')[1]!, 16)
      queued.set(port, (queued.get(port) ?? 0) + rx)
    }
  }
  return [...queued].map(([port, n]) => ({ port, queued: n }))
}

/** The kernel's cap on any listen backlog (net.core.somaxconn), when it says. */
export function somaxconn(): number | undefined {
  try {
    return Number(readFileSync('/proc/sys/net/core/somaxconn', 'latin1').trim()) || undefined
  } catch {
    return undefined
  }
}
