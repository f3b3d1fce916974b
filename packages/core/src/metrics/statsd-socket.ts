import dgram from 'node:dgram'
import { isIPv6 } from 'node:net'
import { createUnixDgramSocket, type UnixDgramSocket } from '../log/unix-dgram.js'
import type { StatsdAddress } from './statsd-address.js'

/** Sends one datagram to the statsd address; failures come back through `failed`, never thrown. */
export interface StatsdSocket {
  send(packet: string): void
  close(): void
}

/** UDP through node:dgram, or a unix datagram socket through core's native part (as syslog uses). */
export function openStatsdSocket(address: StatsdAddress, failed: (error: Error) => void): StatsdSocket {
  return address.kind === 'unix' ? unixSocket(address.path, failed) : udpSocket(address.host, address.port, failed)
}

function udpSocket(host: string, port: number, failed: (error: Error) => void): StatsdSocket {
  const socket = dgram.createSocket(isIPv6(host) ? 'udp6' : 'udp4')
  socket.on('error', failed)
  socket.unref()
  return {
    send: (packet) => socket.send(packet, port, host, (error) => error && failed(error)),
    close: () => socket.close(),
  }
}

function unixSocket(path: string, failed: (error: Error) => void): StatsdSocket {
  let socket: UnixDgramSocket | undefined
  try {
    socket = createUnixDgramSocket()
  } catch (error) {
    // No native part on this platform: say so once (through `failed`) and send nothing.
    queueMicrotask(() => failed(error as Error))
  }
  return {
    send: (packet) => {
      const buffer = Buffer.from(packet)
      socket?.send(buffer, 0, buffer.length, path, (error) => error && failed(error))
    },
    close: () => socket?.close(),
  }
}
