import type { IncomingMessage, ServerResponse } from 'node:http'
import type { TLSSocket } from 'node:tls'
import type { MessagePort } from 'node:worker_threads'
import type { WorkerRuntime } from '@gu/core'
import type { Piscina } from 'piscina'
import { ACK_BYTES, type FromThread, ownBuffer, type RequestHead, type Task, type ToThread, type ToThreadMessage, WINDOW_BYTES } from './protocol.js'
import type { LightFirstQueue, Waiting } from './light-first-queue.js'
import { reply } from './reply.js'
import { TaskAbort } from './task-abort.js'
import type { LinkedExchange, ThreadLinks } from './thread-links.js'

/** What every request's exchange shares: the process's pool, its channels, its queue. */
export interface PoolSide {
  readonly pool: Piscina
  readonly worker: WorkerRuntime
  readonly links: ThreadLinks
  readonly queue: LightFirstQueue
}

/**
 * One request, seen from the worker's main thread: the client's connection is here, the app runs
 * in a pool thread. The head goes with the piscina task; the response comes back, and the body
 * follows once the thread has said it began, on that thread's long-lived port (ThreadLinks); each
 * side stops sending when the other has a window's worth unacknowledged, so a slow client slows
 * the app and a slow app slows the upload.
 *
 * `--timeout`: a request whose exchange makes no progress for that long (nothing from its thread,
 * nothing read by the client, no body bytes from the client: a slow upload is the client's time,
 * bounded by gu's connection guard, not the app's) is cut: its thread is terminated (piscina replaces it), the client
 * gets a 504, or a cut connection if the head was sent. One waiting in the queue that long gets
 * a 503 and never runs.
 */
export class MainExchange implements LinkedExchange, Waiting {
  readonly route: string
  readonly since = performance.now()
  readonly #req: IncomingMessage
  readonly #res: ServerResponse
  readonly #side: PoolSide
  readonly #worker: WorkerRuntime
  readonly #links: ThreadLinks
  readonly #id: number
  readonly #task: Task
  /** Handed to piscina (it left the queue). */
  #dispatched = false
  /** The serving thread's port, known from its first message; until then messages to it wait in #pending. */
  #port: MessagePort | undefined
  #pending: ToThreadMessage[] = []
  readonly #abort = new TaskAbort()
  #timer: NodeJS.Timeout | undefined
  #taskSettled = false
  #responseDone = false
  #timedOut = false
  /** Request bytes sent to the thread and not yet acknowledged. */
  #unacked = 0
  #paused = false
  /** Response bytes written, to acknowledge once the client's socket drains. */
  #toAck = 0

  /** Queues the request (see LightFirstQueue): the caller has checked the queue is not full. */
  constructor(req: IncomingMessage, res: ServerResponse, side: PoolSide) {
    this.#req = req
    this.#res = res
    this.#side = side
    const worker = (this.#worker = side.worker)
    const links = (this.#links = side.links)
    this.#id = links.open(this)
    const head = requestHead(req)
    this.#task = { id: this.#id, head }
    const url = head.url
    const query = url.indexOf('?')
    this.route = `${head.method} ${query === -1 ? url : url.slice(0, query)}`
    const timeoutMs = worker.settings.timeout * 1000
    if (timeoutMs > 0) this.#timer = setTimeout(() => this.#overran(timeoutMs), timeoutMs)
    if (!head.bodyless) {
      req.on('data', this.#onData)
      req.once('end', this.#onEnd)
    }
    req.on('error', () => {})
    // gu refused the request while its body arrived (over --limit-request-body, a bad chunk): the app stops.
    req.once('aborted', () => this.#clientGone())
    res.once('close', () => {
      if (!res.writableFinished) this.#clientGone()
    })
    res.on('drain', this.#onDrain)
    side.queue.offer(this)
  }

  /** A thread is free for it: hand it to piscina; `free` once its thread is done with it. */
  run(free: () => void): void {
    this.#dispatched = true
    this.#side.pool.run(this.#task, { signal: this.#abort }).then(
      (last: FromThread[] | undefined) => {
        // The thread takes its next request before this response is written to the client.
        free()
        if (last) this.onBatch(last, undefined)
        this.#settled()
      },
      (error: unknown) => {
        free()
        this.#failed(error)
      },
    )
  }

  /** `port`: where it came from; none for the last batch, carried by the task's result. */
  onBatch(messages: FromThread[], port: MessagePort | undefined): void {
    if (!this.#port && port) {
      this.#port = port
      for (const message of this.#pending.splice(0)) this.#post(message)
    }
    this.#timer?.refresh()
    const res = this.#res
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i]!
      // A last chunk and the end in one batch: one write, the end with it (no separate empty write).
      if (message.t === 'data' && messages[i + 1]?.t === 'end' && !this.#responseDone && !(messages[i + 1] as { trailers?: unknown }).trailers) {
        res.end(Buffer.from(message.b))
        i++
        this.#done()
        continue
      }
      this.#onMessage(message)
    }
  }

  #onData = (chunk: Buffer): void => {
    const b = ownBuffer(chunk)
    this.#timer?.refresh()
    this.#unacked += b.byteLength
    this.#send({ t: 'data', b })
    if (this.#unacked >= WINDOW_BYTES && !this.#paused) {
      this.#paused = true
      this.#req.pause()
    }
  }

  #onEnd = (): void => {
    const trailers = Object.keys(this.#req.trailers).length > 0 ? (this.#req.trailers as Record<string, string>) : undefined
    this.#send({ t: 'end', trailers })
  }

  #onDrain = (): void => {
    if (this.#toAck === 0) return
    this.#send({ t: 'ack', n: this.#toAck })
    this.#toAck = 0
    this.#timer?.refresh()
  }

  #onMessage(message: FromThread): void {
    const res = this.#res
    switch (message.t) {
      case 'start':
        return
      case 'head':
        if (this.#responseDone) return
        if (message.close) res.shouldKeepAlive = false
        if (message.message) res.writeHead(message.status, message.message, message.headers)
        else res.writeHead(message.status, message.headers)
        return
      case 'data': {
        if (this.#responseDone) return
        this.#toAck += message.b.byteLength
        if (res.write(Buffer.from(message.b)) && this.#toAck >= ACK_BYTES) this.#onDrain()
        return
      }
      case 'end':
        if (this.#responseDone) return
        if (message.trailers) res.addTrailers(message.trailers)
        res.end()
        return this.#done()
      case 'ack':
        this.#unacked -= message.n
        if (this.#paused && this.#unacked < WINDOW_BYTES) {
          this.#paused = false
          this.#req.resume()
        }
        return
      case 'abort':
        if (!this.#responseDone) res.destroy()
        return this.#done()
      case 'error': {
        const error = new Error(message.message)
        error.stack = message.stack
        this.#worker.log.error(`Error handling request ${this.#req.url}`, error)
        return
      }
    }
  }

  #send(message: ToThread): void {
    if (this.#taskSettled) return
    const tagged = { ...message, id: this.#id } as ToThreadMessage
    if (this.#port) this.#post(tagged)
    else this.#pending.push(tagged)
  }

  #post(message: ToThreadMessage): void {
    this.#port!.postMessage(message, message.t === 'data' ? [message.b] : undefined)
  }

  /** The response is over here (sent, cut or abandoned): stop forwarding the request body. */
  #done(): void {
    if (this.#responseDone) return
    this.#responseDone = true
    const req = this.#req
    req.off('data', this.#onData)
    req.off('end', this.#onEnd)
    // What is left of an unread body is read and dropped by node, so keep-alive goes on.
    if (this.#paused) req.resume()
    if (this.#taskSettled) this.#links.close(this.#id)
  }

  #clientGone(): void {
    if (this.#responseDone) return
    if (!this.#dispatched) {
      this.#side.queue.remove(this)
      this.#settled()
    } else if (this.#port || !this.#links.board.cancel(this.#id)) {
      // Begun: tell its thread (once known). Not begun yet: the thread that picks it up skips it.
      this.#send({ t: 'abort' })
    }
    this.#done()
  }

  #settled(): void {
    this.#taskSettled = true
    clearTimeout(this.#timer)
    // The thread's last batch may still be on its way (another port than piscina's): keep the id until the response is done.
    if (this.#responseDone) this.#links.close(this.#id)
  }

  #failed(error: unknown): void {
    this.#settled()
    this.#links.close(this.#id)
    if (this.#timedOut) return
    const { method, url } = this.#req
    this.#worker.log.error(`The thread serving '${method} ${url}' failed; it is replaced`, error)
    this.#cut(500, 'Internal Server Error')
  }

  #overran(timeoutMs: number): void {
    if (this.#taskSettled) return
    this.#timedOut = true
    const { method, url } = this.#req
    const seconds = timeoutMs / 1000
    if (this.#port || this.#links.board.started(this.#id)) {
      this.#worker.log.error(`Request '${method} ${url}' made no progress for ${seconds}s (--timeout): its thread is terminated and replaced`)
      this.#cut(504, 'Gateway Timeout')
    } else {
      this.#worker.log.warning(`Request '${method} ${url}' waited ${seconds}s (--timeout) for a thread: answered 503`)
      this.#cut(503, 'Service Unavailable', { 'retry-after': '1' })
    }
    // Running: piscina terminates the thread and starts another. Queued: it leaves the queue.
    if (this.#dispatched) this.#abort.abort()
    else if (this.#side.queue.remove(this)) this.#settled()
  }

  /** Answer `status` if nothing was sent yet, else cut the connection. */
  #cut(status: number, text: string, headers: Record<string, string> = {}): void {
    if (this.#responseDone) return
    if (this.#res.headersSent) this.#res.destroy()
    else reply(this.#res, status, text, headers)
    this.#done()
  }
}

function requestHead(req: IncomingMessage): RequestHead {
  const socket = req.socket
  return {
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    httpVersion: req.httpVersion,
    rawHeaders: req.rawHeaders,
    remoteAddress: socket.remoteAddress,
    remotePort: socket.remotePort,
    remoteFamily: socket.remoteFamily,
    localAddress: socket.localAddress,
    localPort: socket.localPort,
    encrypted: !!(socket as TLSSocket).encrypted,
    bodyless: req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined,
  }
}
