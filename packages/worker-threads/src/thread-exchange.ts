import http, { type IncomingMessage, type Server } from 'node:http'
import type { MessagePort } from 'node:worker_threads'
import { duplexPair, type PairedSocket } from './duplex-pair.js'
import { ACK_BYTES, type FromThread, type FromThreadBatch, ownBuffer, type RequestHead, type Task, type ToThread, WINDOW_BYTES } from './protocol.js'

const EXCHANGE = Symbol('gu.threads.exchange')
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding'])

type Tagged = PairedSocket & { [EXCHANGE]?: ThreadExchange }

/**
 * One request in a thread. The thread runs a real node:http server that listens nowhere; each
 * request reaches it as a connection of its own (an in-memory socket pair), written by a real
 * node:http client from the head and body the main thread sends. So the app gets the genuine
 * IncomingMessage and ServerResponse of node's own server (Express, Koa and Fastify see what
 * they see under any node:http server), and the response is read back by node's own parser and
 * sent on to the main thread as a head and body chunks — with backpressure both ways, each
 * chunk copied once and transferred.
 */
export class ThreadExchange {
  readonly head: RequestHead
  readonly #id: number
  /** The thread's port to the main thread, shared by its requests; `#exchanges` routes what comes back. */
  readonly #port: MessagePort
  readonly #exchanges: Map<number, ThreadExchange>
  readonly #client: PairedSocket
  readonly #request: http.ClientRequest
  #response: IncomingMessage | undefined
  /** Response bytes sent and not yet acknowledged by the main thread. */
  #unacked = 0
  /** Request bytes written and not yet acknowledged to the main thread (waiting for 'drain'). */
  #toAck = 0
  #finished = false
  #resolve!: (last: FromThread[] | undefined) => void
  /** Something of this request went out on the port already: the rest must follow there, in order. */
  #postedOnPort = false
  /** Bytes in #transfer. */
  #batchBytes = 0
  /** Messages of this turn of the loop, posted together in a microtask. */
  #batch: FromThread[] = []
  #transfer: ArrayBuffer[] = []

  constructor(task: Task, server: Server, port: MessagePort, exchanges: Map<number, ThreadExchange>) {
    this.head = task.head
    this.#id = task.id
    this.#port = port
    this.#exchanges = exchanges
    const [client, serverEnd] = duplexPair()
    this.#client = client
    const head = task.head
    serverEnd.remoteAddress = head.remoteAddress
    serverEnd.remotePort = head.remotePort
    serverEnd.remoteFamily = head.remoteFamily
    serverEnd.localAddress = head.localAddress
    serverEnd.localPort = head.localPort
    if (head.encrypted) serverEnd.encrypted = true
    ;(serverEnd as Tagged)[EXCHANGE] = this
    server.emit('connection', serverEnd)
    // Keep-alive unless the client said otherwise, so a `Connection: close` coming back is the app's.
    const headers = hasHeader(head.rawHeaders, 'connection') ? head.rawHeaders : [...head.rawHeaders, 'Connection', 'keep-alive']
    // CONNECT goes as GET /: node's client and server would both turn it into a tunnel (restoreHead undoes it).
    const tunnel = head.method === 'CONNECT'
    this.#request = http.request({ method: tunnel ? 'GET' : head.method, path: tunnel ? '/' : head.url, headers, setHost: false, createConnection: () => client as never })
    this.#request.on('response', (res) => this.#respond(res))
    // The server end closed before a response (the app destroyed the socket): cut the connection.
    this.#request.on('error', () => this.#finish(true))
    this.#request.on('drain', () => this.#ackRequest())
    if (head.bodyless) this.#request.end()
  }

  /** The exchange of the thread server's request `req`. */
  static of(req: IncomingMessage): ThreadExchange | undefined {
    return (req.socket as unknown as Tagged | null)?.[EXCHANGE]
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
      if (this.head.bodyless) return
      // The body waits for this, so at once, not batched: the app may block this thread from its first line.
      this.#post({ t: 'start' })
      this.#flush()
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
        this.#toAck += message.b.byteLength
        if (this.#request.write(Buffer.from(message.b)) && this.#toAck >= ACK_BYTES) this.#ackRequest()
        return
      }
      case 'end':
        if (message.trailers && this.#request.chunkedEncoding) this.#request.addTrailers(message.trailers)
        this.#request.end()
        return
      case 'ack':
        this.#unacked -= message.n
        if (this.#unacked < WINDOW_BYTES) this.#response?.resume()
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

  #respond(res: IncomingMessage): void {
    this.#response = res
    const raw = res.rawHeaders
    const headers: string[] = []
    for (let i = 0; i < raw.length; i += 2) if (!HOP_BY_HOP.has(raw[i]!.toLowerCase())) headers.push(raw[i]!, raw[i + 1]!)
    const close = /\bclose\b/i.test(String(res.headers.connection ?? ''))
    this.#post({ t: 'head', status: res.statusCode!, message: res.statusMessage ?? '', headers, close })
    res.on('data', (chunk: Buffer) => {
      const b = ownBuffer(chunk)
      this.#unacked += b.byteLength
      this.#post({ t: 'data', b }, b)
      if (this.#unacked >= WINDOW_BYTES) res.pause()
    })
    res.on('end', () => {
      const trailers = Object.keys(res.trailers).length > 0 ? (res.trailers as Record<string, string>) : undefined
      this.#post({ t: 'end', trailers })
      this.#finish(false)
    })
    // Closed before its end: the app cut the response.
    res.on('close', () => {
      if (!res.complete) this.#finish(true)
    })
  }

  /** Done with this request: tear the connection down, tell the main thread if it was cut. */
  #finish(cut: boolean): void {
    if (this.#finished) return
    this.#finished = true
    if (cut) this.#post({ t: 'abort' })
    this.#client.destroy()
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

function hasHeader(raw: readonly string[], name: string): boolean {
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === name) return true
  return false
}
