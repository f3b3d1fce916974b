// A burst of keep-alive connections opened at once, as a load balancer's pool or wrk opens them:
// every connection sends one request as soon as it is connected and stays open afterwards.
import { connect } from 'node:net'

const REQUEST = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'

/** Opens `count` connections to `port` at once; resolves with them once each has had its answer. */
export function openBurst(port, count, timeoutMs = 10000) {
  return new Promise((resolve, reject) => {
    const sockets = []
    let answered = 0
    const timer = setTimeout(() => {
      for (const s of sockets) s.destroy()
      reject(new Error(`burst: only ${answered} of ${count} connections answered within ${timeoutMs} ms`))
    }, timeoutMs)
    for (let i = 0; i < count; i++) {
      const socket = connect({ host: '127.0.0.1', port }, () => socket.write(REQUEST))
      let seen = false
      socket.on('data', (chunk) => {
        if (seen || !chunk.includes('\r\n\r\n')) return
        seen = true
        if (++answered === count) {
          clearTimeout(timer)
          resolve(sockets)
        }
      })
      socket.on('error', (error) => {
        clearTimeout(timer)
        for (const s of sockets) s.destroy()
        reject(error)
      })
      sockets.push(socket)
    }
  })
}

/** Closes a burst's connections and waits until they have closed. */
export function closeBurst(sockets) {
  return Promise.all(sockets.map((s) => new Promise((resolve) => (s.destroyed ? resolve() : (s.once('close', resolve), s.end())))))
}
