import type { Duplex } from 'node:stream'
import type { WebSocket } from 'ws'
import type { Logger } from '../log/logger.js'
import type { SendStatus, ServerWebSocket, WebSocketHandler } from './fetch-websocket-types.js'

type Data = string | ArrayBufferView | ArrayBuffer
const DEFAULT_BACKPRESSURE = 16 * 1024 * 1024

/** Topics for `subscribe`/`publish`, per worker process (as Bun's are per server). */
class Topics {
  readonly #members = new Map<string, Set<BunSocket>>()

  add(topic: string, ws: BunSocket): void {
    let set = this.#members.get(topic)
    if (!set) this.#members.set(topic, (set = new Set()))
    set.add(ws)
  }
  delete(topic: string, ws: BunSocket): void {
    const set = this.#members.get(topic)
    if (set?.delete(ws) && set.size === 0) this.#members.delete(topic)
  }
  has(topic: string, ws: BunSocket): boolean {
    return this.#members.get(topic)?.has(ws) ?? false
  }
  /** Sends to every subscriber but `except` (Bun's `ws.publish` skips the sender). */
  publish(topic: string, data: Data, compress: boolean | undefined, except?: BunSocket): SendStatus {
    let sent = 0
    for (const ws of this.#members.get(topic) ?? []) if (ws !== except) sent = Math.max(sent, ws.send(data, compress))
    return sent
  }
}

/** The worker's topics: `server.publish` from any request reaches the sockets subscribed in this process. */
export const topics = new Topics()

/** Calls one of the app's `websocket` handlers: a throw or a rejection is logged, never fatal. */
export function runWebSocketHandler(log: Logger, name: string, call: () => unknown): void {
  try {
    const result = call() as PromiseLike<unknown> | undefined
    if (typeof result?.then === 'function') result.then(undefined, (error) => log.error(`The websocket ${name} handler failed`, error))
  } catch (error) {
    log.error(`The websocket ${name} handler failed`, error)
  }
}

/** Bun's `ServerWebSocket` over a `ws` socket: what a fetch app's `websocket` handlers are given. */
export class BunSocket<T = unknown> implements ServerWebSocket<T> {
  data: T
  readonly remoteAddress: string
  binaryType: ServerWebSocket['binaryType'] = 'nodebuffer'
  readonly #ws: WebSocket
  readonly #subscribed = new Set<string>()
  readonly #limit: number

  /** `socket`: the upgraded connection `ws` runs on (its `drain` is Bun's). */
  constructor(ws: WebSocket, socket: Duplex, data: T, remoteAddress: string, handler: WebSocketHandler<T>, log: Logger) {
    this.#ws = ws
    this.data = data
    this.remoteAddress = remoteAddress
    this.#limit = handler.backpressureLimit ?? DEFAULT_BACKPRESSURE
    const run = (name: string, call: () => unknown) => runWebSocketHandler(log, name, call)
    ws.on('message', (message: Buffer, isBinary: boolean) => run('message', () => handler.message(this, isBinary ? exact(message) : message.toString('utf8'))))
    ws.on('close', (code: number, reason: Buffer) => {
      for (const topic of this.#subscribed) topics.delete(topic, this)
      this.#subscribed.clear()
      if (handler.close) run('close', () => handler.close!(this, code, reason.toString('utf8')))
    })
    if (handler.ping) ws.on('ping', (payload: Buffer) => run('ping', () => handler.ping!(this, payload)))
    if (handler.pong) ws.on('pong', (payload: Buffer) => run('pong', () => handler.pong!(this, payload)))
    // ws reports socket errors (a bad frame, an oversized message) here, then closes: nothing to add.
    ws.on('error', () => {})
    if (handler.drain) {
      const drain = handler.drain
      // ws has no drain event of its own: the connection's is the one.
      socket.on('drain', () => run('drain', () => drain(this)))
    }
    if (handler.open) run('open', () => handler.open!(this))
  }

  get readyState(): number {
    return this.#ws.readyState
  }

  send(data: Data, compress?: boolean): SendStatus {
    if (this.#ws.readyState !== 1) return 0
    const payload = toBuffer(data)
    this.#ws.send(payload, { binary: typeof data !== 'string', compress: !!compress })
    return this.#ws.bufferedAmount > this.#limit ? -1 : byteLength(data)
  }
  sendText(data: string, compress?: boolean): SendStatus {
    return this.send(data, compress)
  }
  sendBinary(data: ArrayBufferView | ArrayBuffer, compress?: boolean): SendStatus {
    return this.send(data, compress)
  }
  close(code?: number, reason?: string): void {
    this.#ws.close(code, reason)
  }
  terminate(): void {
    this.#ws.terminate()
  }
  ping(data?: Data): SendStatus {
    if (this.#ws.readyState !== 1) return 0
    this.#ws.ping(data === undefined ? undefined : toBuffer(data))
    return data === undefined ? 1 : byteLength(data)
  }
  pong(data?: Data): SendStatus {
    if (this.#ws.readyState !== 1) return 0
    this.#ws.pong(data === undefined ? undefined : toBuffer(data))
    return data === undefined ? 1 : byteLength(data)
  }
  subscribe(topic: string): void {
    this.#subscribed.add(topic)
    topics.add(topic, this)
  }
  unsubscribe(topic: string): void {
    this.#subscribed.delete(topic)
    topics.delete(topic, this)
  }
  isSubscribed(topic: string): boolean {
    return this.#subscribed.has(topic)
  }
  publish(topic: string, data: Data, compress?: boolean): SendStatus {
    return topics.publish(topic, data, compress, this)
  }
  cork<R>(callback: (ws: ServerWebSocket<T>) => R): R {
    return callback(this)
  }
}

function toBuffer(data: Data): string | Buffer {
  if (typeof data === 'string') return data
  if (data instanceof ArrayBuffer) return Buffer.from(data)
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength)
}

function byteLength(data: Data): number {
  return typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength
}

/** A Buffer that owns exactly its bytes: apps (Hono's helper) read `message.buffer` as the message. */
function exact(message: Buffer): Buffer {
  if (message.byteOffset === 0 && message.byteLength === message.buffer.byteLength) return message
  const copy = Buffer.from(new ArrayBuffer(message.byteLength))
  message.copy(copy)
  return copy
}
