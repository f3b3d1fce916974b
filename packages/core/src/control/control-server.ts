import { chmodSync, lstatSync, rmSync, statSync } from 'node:fs'
import net from 'node:net'
import { probe } from '../arbiter/stale-socket.js'
import type { Logger } from '../log/logger.js'
import { CommandError, type ControlCommands } from './control-commands.js'
import { type ControlReply, type ControlRequest, LineReader, MAX_REQUEST_BYTES } from './protocol.js'

/** A client that sends nothing for this long is let go. */
const IDLE_MS = 60_000

/**
 * The arbiter's unix control socket: created with its mode from the start (no moment when others
 * may connect), answered line by line by `ControlCommands`. Nothing a client sends can throw out
 * of here: a bad line gets an error reply.
 */
export class ControlServer {
  readonly #server: net.Server
  /** The file this server made (inode and change time: an inode number alone may be reused by the next file). */
  #made: { ino: number; ctimeMs: number } | undefined
  #refusing = false

  constructor(
    readonly path: string,
    private readonly mode: number,
    private readonly commands: ControlCommands,
    private readonly log: Logger,
  ) {
    this.#server = net.createServer((socket) => this.#serve(socket))
    this.#server.on('error', (error) => this.log.error(`Control socket ${path}`, error))
  }

  /**
   * Listens at the path. A stale socket file is replaced; one a live arbiter answers on is taken
   * over only by the new arbiter of an upgrade (`takeOver`), else left alone. Returns whether
   * the socket is up; when not, why was logged and the server runs on without it.
   */
  async listen(takeOver: boolean): Promise<boolean> {
    const { path } = this
    let isSocket: boolean | undefined
    try {
      isSocket = lstatSync(path).isSocket()
    } catch {
      isSocket = undefined
    }
    if (isSocket === false) {
      this.log.warning(`Control socket: ${path} exists and is not a socket; running without a control socket`)
      return false
    }
    if (isSocket) {
      const state = await probe(path)
      if (state === 'served' && !takeOver) {
        this.log.warning(`Control socket: another arbiter answers at ${path}; running without a control socket (give this one its own --control-socket)`)
        return false
      }
      if (state !== 'served' && state !== 'stale') {
        this.log.warning(`Control socket: ${state} probing ${path}; running without a control socket`)
        return false
      }
      rmSync(path, { force: true })
    }
    try {
      await new Promise<void>((resolve, reject) => {
        this.#server.once('error', reject)
        // The umask makes the socket file private from the moment it exists (node binds a unix
        // socket within listen(), synchronously); chmod then sets the mode asked for. Restored
        // at once, so nothing else (a worker spawned meanwhile) inherits it.
        const umask = process.umask(0o177)
        try {
          this.#server.listen(path, () => {
            this.#server.off('error', reject)
            resolve()
          })
        } finally {
          process.umask(umask)
        }
      })
    } catch (error) {
      this.log.warning(`Control socket: could not listen at ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; running without a control socket`)
      return false
    }
    chmodSync(path, this.mode)
    const { ino, ctimeMs } = statSync(path)
    this.#made = { ino, ctimeMs }
    this.#server.unref()
    this.log.info(`Control socket at: ${path} (mode ${this.mode.toString(8).padStart(4, '0')})`)
    return true
  }

  /**
   * Stops answering and removes the file, unless another arbiter (an upgrade's) has replaced it:
   * then the handle stays open, refusing clients, because libuv unlinks a unix socket's path
   * when its server closes, whichever file is at that path by then.
   */
  close(): void {
    const made = this.#made
    if (!made) return
    this.#made = undefined
    let ours = false
    try {
      const now = statSync(this.path)
      ours = now.ino === made.ino && now.ctimeMs === made.ctimeMs
    } catch {
      // Already gone.
    }
    if (ours) {
      this.#server.close()
      rmSync(this.path, { force: true })
    } else {
      this.#refusing = true
    }
  }

  #serve(socket: net.Socket): void {
    if (this.#refusing) return void socket.destroy()
    const lines = new LineReader(MAX_REQUEST_BYTES)
    socket.setEncoding('utf8')
    socket.setTimeout(IDLE_MS, () => socket.destroy())
    socket.on('error', () => socket.destroy())
    socket.on('data', (chunk: string) => {
      let received: string[]
      try {
        received = lines.push(chunk)
      } catch (error) {
        this.#reply(socket, { ok: false, error: (error as Error).message })
        socket.end()
        return
      }
      for (const line of received) this.#answer(socket, line)
    })
  }

  #answer(socket: net.Socket, line: string): void {
    let request: ControlRequest
    try {
      request = JSON.parse(line) as ControlRequest
      if (typeof request !== 'object' || request === null || typeof request.command !== 'string') throw new CommandError('expected {"command": "...", "args": [...]}')
    } catch (error) {
      return this.#reply(socket, { ok: false, error: error instanceof CommandError ? error.message : `not JSON: ${(error as Error).message}` })
    }
    try {
      const { result, commit } = this.commands.run(request)
      this.#reply(socket, { ok: true, result }, commit)
    } catch (error) {
      if (!(error instanceof CommandError)) this.log.error(`Control socket: '${request.command}' failed`, error)
      this.#reply(socket, { ok: false, error: error instanceof CommandError ? error.message : `internal error: ${(error as Error)?.message ?? error}` })
    }
  }

  #reply(socket: net.Socket, reply: ControlReply, then?: () => void): void {
    if (socket.destroyed) return then?.()
    socket.write(`${JSON.stringify(reply)}\n`, () => then?.())
  }
}
