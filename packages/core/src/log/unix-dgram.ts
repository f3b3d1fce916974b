import { constants } from 'node:os'
import { getSystemErrorName } from 'node:util'
import { buildCommand } from '../native/fallback-warning.js'
import { CORE_ROOT, coreAddon, isLoaded, type UnixDatagramBinding } from '../native/core-addon.js'

export interface UnixDgramSocket {
  send(buffer: Buffer, offset: number, length: number, path: string, callback?: (error?: Error) => void): void
  on(event: 'error', listener: (error: Error) => void): void
  close(): void
}

/**
 * Node has no unix datagram sockets: core's own addon (native/unix-datagram.c, shipped prebuilt)
 * gives them. Throws, with the fix, when it is missing on this platform.
 */
export function createUnixDgramSocket(): UnixDgramSocket {
  const addon = coreAddon()
  if (!isLoaded(addon)) {
    throw new Error(`unix datagram sockets need @gu/core's native part, which is missing (${addon.reason}); fix: ${buildCommand('@gu/core', CORE_ROOT)}, or use unix://PATH#stream, udp:// or tcp://`)
  }
  return new NativeUnixDgramSocket(addon.binding)
}

/** One open datagram socket; every send reports to its callback (sendto is synchronous, non-blocking). */
class NativeUnixDgramSocket implements UnixDgramSocket {
  readonly #unix: UnixDatagramBinding
  #fd: number

  constructor(unix: UnixDatagramBinding) {
    this.#unix = unix
    this.#fd = unix.open()
    if (this.#fd < 0) throw new Error(`could not open a unix datagram socket: ${getSystemErrorName(this.#fd)}`)
  }

  send(buffer: Buffer, offset: number, length: number, path: string, callback?: (error?: Error) => void): void {
    const status = this.#fd < 0 ? -constants.errno.EBADF : this.#unix.sendTo(this.#fd, path, buffer.subarray(offset, offset + length))
    const error = status < 0 ? Object.assign(new Error(`${getSystemErrorName(status)} sending to ${path}`), { code: getSystemErrorName(status) }) : undefined
    // Called back later, as a socket's send is, so callers never see it re-enter.
    if (callback) process.nextTick(callback, error)
  }

  /** Errors come back through each send's callback; there are no others to listen for. */
  on(_event: 'error', _listener: (error: Error) => void): void {}

  close(): void {
    if (this.#fd >= 0) this.#unix.close(this.#fd)
    this.#fd = -1
  }
}
