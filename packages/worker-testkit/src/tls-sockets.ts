// Raw TLS connections for the tls group: bytes written after the handshake, everything read until close.
import type { Socket } from 'node:net'
import { connect as connectTls } from 'node:tls'

/** Everything the server sends on `socket` until it closes it (or `timeoutMs` passes: undefined). */
export function untilClosed(socket: Socket, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    let got = ''
    const timer = setTimeout(() => {
      socket.destroy()
      resolve(undefined)
    }, timeoutMs)
    socket.on('data', (chunk: Buffer) => (got += chunk.toString('latin1')))
    socket.on('error', () => {})
    socket.on('close', () => {
      clearTimeout(timer)
      resolve(got)
    })
  })
}

/** Opens TLS on `raw` (or a new connection) to `port`, writes `text` once the handshake is done. */
export function tlsWrite(port: number, ca: string, text: string, raw?: Socket): Socket {
  const socket = connectTls({ ...(raw ? { socket: raw } : { port, host: '127.0.0.1' }), ca, servername: 'localhost' }, () => socket.write(text))
  return socket
}
