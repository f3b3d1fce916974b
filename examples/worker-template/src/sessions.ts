import type { Http2Server, ServerHttp2Session } from 'node:http2'

/**
 * The HTTP/2 sessions of one server. One with no open stream for `idleMs` is closed, and a stop
 * closes them all. `close()` sends GOAWAY naming the last stream the server took: those finish,
 * and the client knows any later one was not processed, so it may retry it elsewhere.
 *
 * Why not RFC 9113 §6.8's two-step GOAWAY (first one admitting every stream, then the real
 * one)? Node 20's server stops reading a session once it has sent any GOAWAY and has no open
 * stream, so the first step would leave a request the client is sending unread, not served.
 */
export class Sessions {
  readonly #sessions = new Set<ServerHttp2Session>()
  readonly #idleMs: number
  #goingAway = false

  constructor(server: Http2Server, idleMs: number) {
    this.#idleMs = idleMs
    server.on('session', (session: ServerHttp2Session) => this.#track(session))
  }

  /** A graceful stop began: GOAWAY to every session, and to any still to come. */
  goingAway(): void {
    this.#goingAway = true
    for (const session of this.#sessions) session.close()
  }

  #track(session: ServerHttp2Session): void {
    this.#sessions.add(session)
    session.once('close', () => this.#sessions.delete(session))
    if (this.#goingAway) {
      // Accepted just before the stop: first serve what the client sent with its preface.
      setImmediate(() => session.close())
      return
    }
    let openStreams = 0
    let idleTimer = setTimeout(() => session.close(), this.#idleMs)
    session.on('stream', (stream) => {
      openStreams++
      clearTimeout(idleTimer)
      stream.once('close', () => {
        if (--openStreams === 0) idleTimer = setTimeout(() => session.close(), this.#idleMs)
      })
    })
    session.once('close', () => clearTimeout(idleTimer))
  }
}
