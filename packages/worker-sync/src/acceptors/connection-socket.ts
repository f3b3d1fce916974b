import { closeSync } from 'node:fs'
import { Socket } from 'node:net'

interface TcpHandle {
  open(fd: number): number
  setNoDelay(enable: boolean): number
  close(): void
}
interface TcpWrap {
  TCP: new (type: number) => TcpHandle
  constants: { SOCKET: number }
}

/**
 * node's TCP handle, as node's own accept path uses it. `new Socket({ fd })` first asks libuv
 * what kind of descriptor it was given (isatty, fstat, getsockopt, getsockname: four syscalls a
 * connection, a tenth of a connection-per-request worker's syscalls); for a descriptor accepted
 * from a TCP listener the answer is known. Undefined where the binding is unavailable, or where
 * using it would print a deprecation warning (--pending-deprecation, NODE_PENDING_DEPRECATION=1):
 * then sockets are made the portable way.
 */
let tcpWrap = ((): TcpWrap | undefined => {
  const flags = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`
  if (flags.includes('--pending-deprecation') || process.env.NODE_PENDING_DEPRECATION === '1') return undefined
  try {
    const binding = (process as unknown as { binding(name: string): unknown }).binding('tcp_wrap') as TcpWrap
    // An internal binding: make sure this Node's still has the shape we use before relying on it.
    new binding.TCP(binding.constants.SOCKET).close()
    return binding
  } catch {
    return undefined
  }
})()

/**
 * A net.Socket for a freshly accepted connection descriptor, with Nagle's algorithm off as
 * node:http's own server sets it (a response written in parts must not wait for the client's ACK).
 * `tcp`: the descriptor came from a TCP listener (not a unix socket); `noDelaySet`: it has
 * TCP_NODELAY already (passed on from the listener). Throws if the descriptor can't be wrapped,
 * having closed it.
 */
export function connectionSocket(fd: number, tcp: boolean, noDelaySet = false): Socket {
  if (tcp && tcpWrap) {
    try {
      const handle = new tcpWrap.TCP(tcpWrap.constants.SOCKET)
      if (handle.open(fd) === 0) {
        if (!noDelaySet) handle.setNoDelay(true)
        // `noDelay` tells the socket the option is on (no system call): an app's later
        // `setNoDelay(false)` then reaches the descriptor instead of being taken as a no-op.
        return new Socket({ handle, readable: true, writable: true, noDelay: true } as ConstructorParameters<typeof Socket>[0])
      }
      handle.close() // it never took the descriptor: the portable way below says why, or serves
    } catch {
      // The internal binding doesn't behave as expected here: use the portable way from now on.
      tcpWrap = undefined
    }
  }
  try {
    const socket = new Socket({ fd, readable: true, writable: true })
    if (tcp) socket.setNoDelay(true)
    return socket
  } catch (error) {
    closeSync(fd)
    throw error
  }
}
