import type { IncomingMessage, ServerResponse } from 'node:http'
import type { MessagePort } from 'node:worker_threads'
import { ACK_BYTES, type FromThread, type FromThreadBatch, ownBuffer, type RequestHead, type Task, type ToThread, WINDOW_BYTES } from './protocol.js'
import { chunkBytes, isChunked, lastChunkBytes, requestHeadBytes } from './request-bytes.js'
import { ResponseReader, type ResponseSink } from './response-reader.js'
import type { ThreadConnection } from './thread-connection.js'
import type { SocketOwner, ThreadSocket } from './thread-socket.js'

const EXCHANGE = Symbol('gu.threads.exchange')
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding'])
const HOP_BY_HOP_LENGTHS = new Set([...HOP_BY_HOP].map((name) => name.length))

type Tagged = { [EXCHANGE]?: ThreadExchange }

/**
 * One request in a thread. The thread runs a real node:http server that listens nowhere; each
 * request reaches it on the thread's kept-alive connection (a ThreadSocket, see ThreadConnection)
 * as the client's head and the body the main thread sends. So the app gets the genuine IncomingMessage and ServerResponse
 * of node's own server (Express, Koa and Fastify see what they see under any node:http server).
 * What the server writes back is read straight off its socket (ResponseReader) and sent on to the
 * main thread as a head and body chunks — with backpressure both ways, each chunk copied once
 * and transferred.
 */
export class ThreadExchange implements SocketOwner, ResponseSink {
  readonly head: RequestHead
  readonly #id: number
  /** The thread's port to the main thread, shared by its requests; `#exchanges` routes what comes back. */
  readonly #port: MessagePort
  readonly #exchanges: Map<number, ThreadExchange>
  readonly #connection: ThreadConnection
  readonly #socket: ThreadSocket
  readonly #reader: ResponseReader
  /** The request body came chunked: it goes on to the server re-chunked. */
  readonly #chunked: boolean
  /** Response body pieces of the server's current write, sent as one chunk once it is read. */
  #pieces: Buffer[] = []
  /** Response bytes sent and not yet acknowledged by the main thread. */
  #unacked = 0
  /** The server's write held until the main thread acknowledges (the window is full). */
  #heldWrite: (() => void) | undefined
  /** Request bytes pushed and not yet acknowledged to the main thread. */
  #toAck = 0
  /** The server had no room for a push: acknowledge once it reads. */
  #pushBlocked = false
  #finished = false
  /** The request as the thread's server parsed it (see received). */
  #request: IncomingMessage | undefined
  /**
   * Node's parser takes another request after this one on the connection (no `Connection: close`
   * from the client). Read before the app runs: an app's `Connection: keep-alive` keeps node's
   * socket open, but the parser would still refuse what follows.
   */
  #parserGoesOn = false
  /** The server wrote the whole response. */
  #responded = false
  #resolve!: (last: FromThread[] | undefined) => void
  /** Something of this request went out on the port already: the rest must follow there, in order. */
  #postedOnPort = false
  /** Bytes in #transfer. */
  #batchBytes = 0
  /** Messages of this turn of the loop, posted together in a microtask. */
  #batch: FromThread[] = []
  #transfer: ArrayBuffer[] = []

  constructor(task: Task, connection: ThreadConnection, port: MessagePort, exchanges: Map<number, ThreadExchange>) {
    const head = (this.head = task.head)
    this.#id = task.id
    this.#port = port
    this.#exchanges = exchanges
    this.#chunked = !head.bodyless && isChunked(head)
    this.#reader = new ResponseReader(this, head.method === 'HEAD')
    this.#connection = connection
    const socket = (this.#socket = connection.take(this))
    // The connection is the client's for this request: its addresses, as the app reads them.
    socket.remoteAddress = head.remoteAddress
    socket.remotePort = head.remotePort
    socket.remoteFamily = head.remoteFamily
    socket.localAddress = head.localAddress
    socket.localPort = head.localPort
    socket.encrypted = head.encrypted ? true : undefined
    ;(socket as Tagged)[EXCHANGE] = this
  }

  /**
   * The exchange of the thread server's request `req`: the one its connection carried when it
   * arrived (see received), since the connection goes on to other requests and an app may report an
   * error late.
   */
  static of(req: IncomingMessage): ThreadExchange | undefined {
    return (req as unknown as Tagged)[EXCHANGE] ?? (req.socket as unknown as Tagged | null)?.[EXCHANGE]
  }

  /** The thread's server parsed this exchange's request: `req`, answered on `res`. */
  received(req: IncomingMessage, res: ServerResponse): void {
    this.#request = req
    this.#parserGoesOn = res.shouldKeepAlive
    ;(req as unknown as Tagged)[EXCHANGE] = this
  }

  /**
   * Resolves once the exchange is over. A response that fits one batch (most: head, body and end
   * in one turn of the loop, nothing posted before) comes back as the task's result, so the
   * request costs one message each way, no more than piscina's own.
   */
  run(): Promise<FromThread[] | undefined> {
    return new Promise((resolve) => {
      this.#resolve = resolve
      this.#exchanges.set(this.#id, this)
      if (!this.head.bodyless) {
        // The body waits for this, so at once, not batched: the app may block this thread from its first line.
        this.#post({ t: 'start' })
        this.#flush()
      }
      // On a kept connection the server may read, and the app answer, within this push.
      this.#socket.push(requestHeadBytes(this.head))
    })
  }

  reportError(error: unknown): void {
    const e = error instanceof Error ? error : new Error(String(error))
    this.#post({ t: 'error', message: e.message, stack: e.stack })
  }

  onMessage(message: ToThread): void {
    if (this.#finished) return
    switch (message.t) {
      case 'data': {
        const n = message.b.byteLength
        if (n === 0) return
        this.#toAck += n
        const body = new Uint8Array(message.b)
        const room = this.#socket.push(this.#chunked ? chunkBytes(body) : Buffer.from(message.b))
        if (!room) this.#pushBlocked = true
        else if (this.#toAck >= ACK_BYTES) this.#ackRequest()
        return
      }
      case 'end':
        if (this.#chunked) this.#socket.push(lastChunkBytes(message.trailers))
        return
      case 'ack':
        this.#unacked -= message.n
        if (this.#unacked < WINDOW_BYTES) this.#releaseWrite()
        return
      case 'abort':
        return this.#finish(false)
    }
  }

  #ackRequest(): void {
    if (this.#toAck === 0) return
    this.#post({ t: 'ack', n: this.#toAck })
    this.#toAck = 0
  }

  readRoom(): void {
    if (!this.#pushBlocked) return
    this.#pushBlocked = false
    this.#ackRequest()
  }

  output(chunks: Buffer[], done: () => void): void {
    if (this.#finished) return done()
    for (const chunk of chunks) this.#reader.write(chunk)
    this.#sendPieces()
    // Not held once the response is whole: the connection goes on to the next request.
    if (this.#unacked >= WINDOW_BYTES && !this.#finished) this.#heldWrite = done
    else done()
  }

  outputEnded(): void {
    // Ended before its response was complete (no framing left to finish it): the app cut it.
    if (!this.#reader.end()) this.#finish(true)
  }

  closed(): void {
    this.#releaseWrite()
    // Destroyed before the response was complete: the app cut the connection.
    this.#finish(true)
  }

  responseHead(status: number, message: string, raw: string[]): void {
    const headers: string[] = []
    let close = false
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!
      // Only names of a hop-by-hop header's length are lower-cased to be checked.
      if (!HOP_BY_HOP_LENGTHS.has(name.length) || !HOP_BY_HOP.has(name.toLowerCase())) headers.push(name, raw[i + 1]!)
      else if (name.length === 10 && name.toLowerCase() === 'connection' && /\bclose\b/i.test(raw[i + 1]!)) close = true
    }
    this.#post({ t: 'head', status, message, headers, close })
  }

  responseBody(piece: Buffer): void {
    if (piece.length > 0) this.#pieces.push(piece)
  }

  responseEnd(trailers: Record<string, string> | undefined): void {
    this.#responded = true
    this.#sendPieces()
    this.#post({ t: 'end', trailers })
    this.#finish(false)
  }

  /** The body pieces of one write of the server's, as one chunk: one copy, transferred. */
  #sendPieces(): void {
    const pieces = this.#pieces
    if (pieces.length === 0) return
    const b = ownBuffer(...pieces)
    this.#pieces = []
    this.#unacked += b.byteLength
    this.#post({ t: 'data', b }, b)
  }

  #releaseWrite(): void {
    const held = this.#heldWrite
    this.#heldWrite = undefined
    held?.()
  }

  /** Done with this request: keep the connection if it is clean, tell the main thread if it was cut. */
  #finish(cut: boolean): void {
    if (this.#finished) return
    this.#finished = true
    if (cut) this.#post({ t: 'abort' })
    const socket = this.#socket
    // The server wrote the whole response: the connection may carry the next request (see keep).
    if (!cut && this.#responded && this.#request && this.#parserGoesOn) this.#connection.keep(socket, this.#request)
    // Not inside the server's write that ended the response: destroyed then, node would fail the
    // writes still queued behind it, building an error (and its stack) for each.
    else if (!socket.destroyed) setImmediate(() => socket.destroy())
    this.#exchanges.delete(this.#id)
    if (this.#postedOnPort || this.#batchBytes > RESULT_BYTES) {
      this.#flush()
      return this.#resolve(undefined)
    }
    // Small enough to copy with piscina's result (its buffers are cloned, not transferred).
    const last = this.#batch
    this.#batch = []
    this.#transfer = []
    this.#resolve(last)
  }

  #post(message: FromThread, transfer?: ArrayBuffer): void {
    // At the end of this turn of the loop: a response's head, body and end are usually all in it.
    if (this.#batch.length === 0) setImmediate(() => this.#flush())
    this.#batch.push(message)
    if (transfer) {
      this.#transfer.push(transfer)
      this.#batchBytes += transfer.byteLength
    }
  }

  #flush(): void {
    if (this.#batch.length === 0) return
    this.#postedOnPort = true
    this.#batchBytes = 0
    this.#port.postMessage({ id: this.#id, m: this.#batch } satisfies FromThreadBatch, this.#transfer)
    this.#batch = []
    this.#transfer = []
  }
}

/** The most body bytes a last batch may carry in the task's result (copied there); more goes on the port, transferred. */
const RESULT_BYTES = 64 * 1024
