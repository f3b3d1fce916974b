import type { Server } from 'node:http'
import type { Http2Server } from 'node:http2'
import type { Socket } from 'node:net'

// Every HTTP/2 connection opens with these 24 bytes (RFC 9113 §3.4); no HTTP/1.1 request does.
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')

/** Connections whose first bytes have not yet said which protocol they speak. */
export interface Undecided {
  /** Closes them (a stop's idle sweep: they have sent no request). */
  closeAll(): void
}

/**
 * Sends each connection `http1` accepts to HTTP/1.1 or to `http2` by its first bytes. Node's
 * `allowHTTP1` does this only for TLS, by ALPN; on cleartext a prior-knowledge client says
 * HTTP/2 only with its preface. A connection that sends nothing is timed by gu's connection guard
 * (`headerTimeout`), as a silent HTTP/1.1 connection is; `onHttp2` is told of each HTTP/2 one.
 */
export function splitByPreface(http1: Server, http2: Http2Server, onHttp2: (socket: Socket) => void = () => {}): Undecided {
  // node:http's own handling of a connection, taken off so it runs only for HTTP/1.1 ones.
  const serveHttp1 = http1.listeners('connection') as Array<(this: Server, socket: Socket) => void>
  http1.removeAllListeners('connection')
  const undecided = new Set<Socket>()

  http1.on('connection', (socket: Socket) => {
    undecided.add(socket)
    let seen: Buffer = Buffer.alloc(0)
    const onError = () => socket.destroy()
    const onEnd = () => socket.destroy()
    const settle = () => {
      undecided.delete(socket)
      socket.off('data', onData).off('error', onError).off('end', onEnd).off('close', settle)
    }
    const onData = (chunk: Buffer) => {
      seen = seen.length ? Buffer.concat([seen, chunk]) : chunk
      const n = Math.min(seen.length, PREFACE.length)
      const http2Preface = seen.subarray(0, n).equals(PREFACE.subarray(0, n))
      if (http2Preface && n < PREFACE.length) return
      settle()
      // Put the bytes back for whichever parser takes the connection; both read buffered data first.
      socket.pause()
      socket.unshift(seen)
      if (http2Preface) {
        // node:http accepts half-open; HTTP/2 must close when the client does (curl just sends FIN).
        socket.allowHalfOpen = false
        onHttp2(socket)
        http2.emit('connection', socket)
      } else {
        for (const serve of serveHttp1) serve.call(http1, socket)
        socket.resume()
      }
    }
    socket.on('data', onData).on('error', onError).on('end', onEnd).on('close', settle)
  })

  return {
    closeAll: () => {
      for (const socket of undecided) socket.destroy()
    },
  }
}
