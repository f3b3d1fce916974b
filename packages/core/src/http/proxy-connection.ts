// --proxy-protocol on a node:http server: each new connection's first bytes are read for a PROXY
// header before node's parser sees the connection. From a peer in --proxy-allow-from the header
// gives the connection its real client (req.socket.remoteAddress included); from any other peer
// a PROXY header is refused with 403, as Gunicorn does. Plain HTTP goes through either way.
import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import { ProxyTrust } from './forwarded.js'
import { parseProxyHeader } from './proxy-protocol.js'

/** A header must be whole within this long of the connection opening. */
const HEADER_MS = 5000
const answer = (status: string, why: string) => {
  const body = `${status}: ${why}\n`
  return `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`
}
const FORBIDDEN = answer('403 Forbidden', 'a PROXY header from an address not in --proxy-allow-from')

export function acceptProxyProtocol(server: Server, allowFrom: string): void {
  const allowed = new ProxyTrust({ forwardedAllowIps: allowFrom, secureSchemeHeaders: [] })
  // node's own connection listener (the parser) and any listener added so far run once the header is read.
  const later = server.listeners('connection') as Array<(socket: Socket) => void>
  server.removeAllListeners('connection')
  server.on('connection', (socket: Socket) => {
    readHeader(socket, allowed, () => {
      for (const listener of later) listener.call(server, socket)
    })
  })
}

function readHeader(socket: Socket, allowed: ProxyTrust, proceed: () => void): void {
  let buffered: Buffer = Buffer.alloc(0)
  const timer = setTimeout(() => socket.destroy(), HEADER_MS)
  const done = () => {
    clearTimeout(timer)
    socket.off('data', onData)
    socket.off('error', onError)
    socket.pause()
  }
  const refuse = (response: string) => {
    done()
    socket.end(response)
    setTimeout(() => socket.destroy(), 1000).unref()
  }
  const onError = () => {
    done()
    socket.destroy()
  }
  const onData = (chunk: Buffer) => {
    buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk
    const parsed = parseProxyHeader(buffered)
    if (parsed === 'incomplete') return
    if (parsed !== 'none' && !allowed.trusts(socket.remoteAddress)) return refuse(FORBIDDEN)
    if (typeof parsed === 'object' && 'error' in parsed) return refuse(answer('400 Bad Request', parsed.error))
    done()
    const rest = parsed === 'none' ? buffered : buffered.subarray(parsed.length)
    if (parsed !== 'none' && parsed.source) {
      // The client the balancer accepted: what every layer above reads as the connection's peer.
      Object.defineProperties(socket, {
        remoteAddress: { value: parsed.source.address, configurable: true },
        remotePort: { value: parsed.source.port, configurable: true },
        remoteFamily: { value: parsed.source.family, configurable: true },
      })
    }
    if (rest.length) socket.unshift(rest)
    proceed()
    // node:http reads on through 'data'. A TLS layer that took the connection over (--certfile)
    // reads the unshifted bytes itself: resuming would hand them to no one.
    if (socket.listenerCount('data') > 0) socket.resume()
  }
  socket.on('data', onData)
  socket.on('error', onError)
}
