import { getSystemErrorName } from 'node:util'
import type { Logger } from '../log/logger.js'
import { CORE_ROOT, coreAddon, isLoaded, type UnixDatagramBinding } from '../native/core-addon.js'
import { fallbackWarning } from '../native/fallback-warning.js'

/**
 * systemd's readiness protocol (sd_notify): `READY=1` once workers serve, `RELOADING=1` during
 * HUP, `STOPPING=1` on shutdown, sent as datagrams to `NOTIFY_SOCKET`. Node has no unix datagram
 * sockets, so the send is core's own small N-API addon (native/unix-datagram.c, prebuilt; see
 * docs/native-addons.md for why no pure-JavaScript way is sound).
 */
export class SystemdNotifier {
  readonly #unix: UnixDatagramBinding
  readonly #path: string
  readonly #log: Logger

  private constructor(unix: UnixDatagramBinding, path: string, log: Logger) {
    this.#unix = unix
    this.#path = path
    this.#log = log
  }

  /**
   * A notifier when systemd asked for notifications (`NOTIFY_SOCKET`), else undefined. The
   * variable is taken out of the environment: only the arbiter notifies, never its workers.
   */
  static fromEnvironment(log: Logger, env: NodeJS.ProcessEnv = process.env): SystemdNotifier | undefined {
    const path = env.NOTIFY_SOCKET
    delete env.NOTIFY_SOCKET
    if (!path) return undefined
    const addon = coreAddon()
    if (!isLoaded(addon)) {
      const consequence = 'systemd gets no readiness notifications (a Type=notify unit will time out starting)'
      log.warning(fallbackWarning({ packageName: '@gu/core', packageRoot: CORE_ROOT, what: 'NOTIFY_SOCKET is set but the native unix datagram socket is', reason: addon.reason, consequence }))
      return undefined
    }
    log.debug(`systemd notifications to ${path} (${addon.source}, ${addon.path})`)
    return new SystemdNotifier(addon.binding, path, log)
  }

  /** The socket systemd listens on, for a new arbiter started by USR2 to notify in turn. */
  get socketPath(): string {
    return this.#path
  }

  /** Sends `KEY=VALUE` lines, e.g. notify('READY=1', 'STATUS=Serving on 4 workers'). */
  notify(...assignments: string[]): void {
    // A socket per message: a handful in an arbiter's life, and none held open between them.
    const fd = this.#unix.open()
    const status = fd < 0 ? fd : this.#unix.sendTo(fd, this.#path, Buffer.from(assignments.join('\n')))
    if (fd >= 0) this.#unix.close(fd)
    if (status < 0) this.#log.warning(`systemd notification ${assignments[0]} failed: ${getSystemErrorName(status)} on ${this.#path}`)
  }
}
