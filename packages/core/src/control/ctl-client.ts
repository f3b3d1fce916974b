import { lstatSync } from 'node:fs'
import net from 'node:net'
import { type ControlReply, type ControlRequest, LineReader } from './protocol.js'

/** How long `gu ctl` waits for an answer. */
const ANSWER_MS = 10_000

/** What went wrong talking to the arbiter, said so an operator knows what to do. */
export class CtlError extends Error {}

/** One connection to a control socket; requests are answered in order. */
export class CtlConnection {
  readonly #socket: net.Socket
  readonly #lines = new LineReader(64 * 1024 * 1024)
  readonly #waiting: Array<{ resolve: (reply: ControlReply) => void; reject: (error: Error) => void }> = []
  #failure: Error | undefined

  private constructor(
    readonly path: string,
    socket: net.Socket,
  ) {
    this.#socket = socket
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      for (const line of this.#lines.push(chunk)) {
        let reply: ControlReply
        try {
          reply = JSON.parse(line) as ControlReply
        } catch {
          reply = { ok: false, error: `the arbiter sent something that isn't JSON: ${line.slice(0, 80)}` }
        }
        this.#waiting.shift()?.resolve(reply)
      }
    })
    const gone = (error?: Error) => {
      this.#failure = new CtlError(error ? `lost the connection to ${path}: ${error.message}` : `the arbiter at ${path} closed the connection (it is stopping?)`)
      for (const waiter of this.#waiting.splice(0)) waiter.reject(this.#failure)
    }
    socket.on('error', gone)
    socket.on('close', () => gone())
  }

  static connect(path: string): Promise<CtlConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(path)
      socket.once('connect', () => resolve(new CtlConnection(path, socket)))
      socket.once('error', (error: NodeJS.ErrnoException) => reject(new CtlError(describeConnectError(path, error))))
    })
  }

  request(request: ControlRequest): Promise<ControlReply> {
    if (this.#failure) return Promise.reject(this.#failure)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new CtlError(`no answer from ${this.path} within ${ANSWER_MS / 1000}s`)), ANSWER_MS)
      this.#waiting.push({
        resolve: (reply) => (clearTimeout(timer), resolve(reply)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      })
      this.#socket.write(`${JSON.stringify(request)}\n`)
    })
  }

  close(): void {
    this.#socket.end()
  }
}

function describeConnectError(path: string, error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT':
      return `no control socket at ${path}: is gu running with this --control-socket? (pass -s PATH to point at another)`
    case 'ECONNREFUSED':
      if (!isSocketFile(path)) return `${path} is not a socket`
      return `${path} is stale: no arbiter is listening on it (it stopped without removing it); it is replaced when gu starts again`
    case 'EACCES':
    case 'EPERM':
      return `permission denied connecting to ${path}: run gu ctl as the user that started gu (or widen --control-socket-mode)`
    default:
      return `could not connect to ${path}: ${error.code ?? error.message}`
  }
}

function isSocketFile(path: string): boolean {
  try {
    return lstatSync(path).isSocket()
  } catch {
    return true
  }
}
