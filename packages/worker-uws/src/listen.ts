// Each worker binds every address itself: TCP with SO_REUSEPORT (uSockets sets it unless asked
// for an exclusive port), unix sockets with listen_unix.
import { lstatSync } from 'node:fs'
import type { BindAddress } from '@gu/core'
import type { TemplatedApp, us_listen_socket } from 'uWebSockets.js'

export function describeBind(bind: BindAddress): string {
  if (bind.kind === 'unix') return `unix:${bind.path}`
  if (bind.kind === 'fd') return `fd://${bind.fd}`
  return bind.ipv6 ? `[${bind.host}]:${bind.port}` : `${bind.host}:${bind.port}`
}

/** Listens on `bind`; rejects with a one-line reason when uWS can't. */
export function listenOn(app: TemplatedApp, bind: BindAddress): Promise<us_listen_socket> {
  return new Promise((resolve, reject) => {
    const done = (socket: us_listen_socket | false) => {
      if (socket) return resolve(socket)
      const why = bind.kind === 'tcp' ? 'the address is in use by a process that does not share it with SO_REUSEPORT, or it is not an address of this host' : 'the directory may not exist or not be writable'
      reject(new Error(`uWebSockets.js could not listen on ${describeBind(bind)}: ${why}`))
    }
    if (bind.kind === 'tcp') return app.listen(bind.host, bind.port, done)
    if (bind.kind === 'unix') {
      // uSockets unlinks whatever is at the path before binding: never a file that isn't a socket.
      const stat = statOf(bind.path)
      if (stat && !stat.isSocket()) return reject(new Error(`unix:${bind.path} exists and is not a socket; uWebSockets.js would replace it: remove it or bind another path`))
      return app.listen_unix(done as never, bind.path)
    }
    reject(new Error(`uWebSockets.js can't serve ${describeBind(bind)} (an inherited descriptor)`))
  })
}

function statOf(path: string) {
  try {
    return lstatSync(path)
  } catch {
    return undefined
  }
}
