import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from '../log/logger.js'
import { UsageError } from '../settings/errors.js'
import { parseBind } from '../settings/bind-address.js'
import { BindError, type BoundSocket, bindAddress, listenAll } from './bound-socket.js'
import { removeStaleSocket } from './stale-socket.js'

const ATTEMPTS = 5

/**
 * Binds and listens on every address with `backlog`, reusing `existing` sockets whose address is unchanged.
 * An address in use is retried every second, five times, as Gunicorn does; then it is an error.
 */
export async function bindSockets(specs: readonly string[], backlog: number, log: Logger, existing: readonly BoundSocket[] = []): Promise<BoundSocket[]> {
  for (let attempt = 1; ; attempt++) {
    const fresh: BoundSocket[] = []
    try {
      for (const spec of specs) {
        const address = existing.some((s) => s.spec === spec) ? undefined : parseBind(spec)
        if (address?.kind === 'unix') await removeStaleSocket(address.path, spec)
      }
      const sockets = specs.map((spec) => {
        const kept = existing.find((s) => s.spec === spec)
        if (kept) return kept
        const socket = bindAddress(spec)
        fresh.push(socket)
        return socket
      })
      // Kept and inherited sockets too: a changed --backlog (HUP, USR2) reaches the kernel.
      listenAll(sockets, backlog)
      return sockets
    } catch (error) {
      for (const socket of fresh) socket.close()
      if (!(error instanceof BindError)) throw error
      if (error.code !== 'EADDRINUSE' || attempt >= ATTEMPTS) throw new UsageError(explain(error))
      log.error(`Connection in use: ${error.spec}`)
      log.error('Retrying in 1 second.')
      await sleep(1000)
    }
  }
}

function explain(error: BindError): string {
  const where = error.spec
  switch (error.code) {
    case 'EADDRINUSE':
      return `can't bind ${where}: address already in use (is another server running there?)`
    case 'EACCES':
    case 'EPERM':
      return where.startsWith('unix:')
        ? `can't bind ${where}: permission denied creating the socket file`
        : `can't bind ${where}: permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)`
    case 'EADDRNOTAVAIL':
      return `can't bind ${where}: that address is not available on this machine`
    case 'ENOENT':
      return `can't bind ${where}: the socket's directory does not exist`
    default:
      return `can't bind ${where}: ${error.message}`
  }
}
