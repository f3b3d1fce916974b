import { realpathSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Logger } from '../log/logger.js'

interface DgramSocket {
  send(buffer: Buffer, offset: number, length: number, path: string, callback?: (error?: Error) => void): void
  on(event: 'error', listener: (error: Error) => void): void
  close(): void
}
interface UnixDgram {
  createSocket(type: 'unix_dgram'): DgramSocket
}

/**
 * systemd's readiness protocol (sd_notify): `READY=1` once workers serve, `RELOADING=1` during
 * HUP, `STOPPING=1` on shutdown, sent as datagrams to `NOTIFY_SOCKET`. Node has no unix datagram
 * sockets, so this uses the optional native dependency `unix-dgram` (built with node-gyp).
 */
export class SystemdNotifier {
  readonly #socket: DgramSocket
  readonly #path: string
  readonly #log: Logger

  private constructor(socket: DgramSocket, path: string, log: Logger) {
    this.#socket = socket
    this.#path = path
    this.#log = log
    socket.on('error', (error) => log.warning(`systemd notification failed: ${error.message}`))
  }

  /**
   * A notifier when systemd asked for notifications (`NOTIFY_SOCKET`), else undefined. The
   * variable is taken out of the environment: only the arbiter notifies, never its workers.
   */
  static fromEnvironment(log: Logger, env: NodeJS.ProcessEnv = process.env): SystemdNotifier | undefined {
    const path = env.NOTIFY_SOCKET
    delete env.NOTIFY_SOCKET
    if (!path) return undefined
    if (path.startsWith('@')) {
      log.warning(`NOTIFY_SOCKET=${path} is an abstract socket, which gu can't write to; no readiness notifications`)
      return undefined
    }
    let unix: UnixDgram
    try {
      // By its real path: unix-dgram finds its own dependencies beside it (pnpm's layout), which
      // a symlinked path can hide from an arbiter started by USR2.
      const require = createRequire(import.meta.url)
      unix = require(realpathSync(require.resolve('unix-dgram'))) as UnixDgram
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND'
      const why = missing ? 'is not installed (it builds with node-gyp)' : `failed to load: ${(error as Error).message}`
      log.warning(`NOTIFY_SOCKET is set, but the optional dependency unix-dgram ${why}; no readiness notifications`)
      return undefined
    }
    return new SystemdNotifier(unix.createSocket('unix_dgram'), path, log)
  }

  /** The socket systemd listens on, for a new arbiter started by USR2 to notify in turn. */
  get socketPath(): string {
    return this.#path
  }

  /** Sends `KEY=VALUE` lines, e.g. notify('READY=1', 'STATUS=Serving on 4 workers'). */
  notify(...assignments: string[]): void {
    const message = Buffer.from(assignments.join('\n'))
    this.#socket.send(message, 0, message.length, this.#path, (error) => {
      if (error) this.#log.warning(`systemd notification ${assignments[0]} failed: ${error.message}`)
    })
  }
}
