// Bun's ServerWebSocket over a native uWS WebSocket: what a fetch app's `websocket` handlers get
// on this class, the same API as on node:http classes.
import type { ServerWebSocket } from '@gu/core'
import type { TemplatedApp, WebSocket } from 'uWebSockets.js'

type Data = string | ArrayBufferView | ArrayBuffer
// uWS's send: 1 sent, 0 sent with backpressure building, 2 dropped (past maxBackpressure).
const SENT = 1
const DROPPED = 2

export class UwsBunSocket<T = unknown> implements ServerWebSocket<T> {
  data: T
  readonly remoteAddress: string
  binaryType: ServerWebSocket['binaryType'] = 'nodebuffer'
  /** uWS has called close: the native socket must not be touched again. */
  closed = false
  readonly #ws: WebSocket<unknown>
  readonly #app: TemplatedApp

  constructor(ws: WebSocket<unknown>, app: TemplatedApp, data: T, remoteAddress: string) {
    this.#ws = ws
    this.#app = app
    this.data = data
    this.remoteAddress = remoteAddress
  }

  get readyState(): number {
    return this.closed ? 3 : 1
  }

  send(data: Data, compress?: boolean): number {
    if (this.closed) return 0
    return status(this.#ws.send(bytes(data), typeof data !== 'string', !!compress), data)
  }
  sendText(data: string, compress?: boolean): number {
    return this.send(data, compress)
  }
  sendBinary(data: ArrayBufferView | ArrayBuffer, compress?: boolean): number {
    return this.send(data, compress)
  }
  close(code?: number, reason?: string): void {
    // Outside uWS's own callbacks (a stop, a timer) the close frame only goes out corked.
    if (!this.closed) this.#ws.cork(() => this.#ws.end(code ?? 1000, reason ?? ''))
  }
  terminate(): void {
    if (!this.closed) this.#ws.close()
  }
  ping(data?: Data): number {
    if (this.closed) return 0
    return status(this.#ws.ping(data === undefined ? undefined : bytes(data)), data ?? '')
  }
  pong(_data?: Data): number {
    // uWS answers pings itself and has no pong of its own to send.
    return 0
  }
  subscribe(topic: string): void {
    if (!this.closed) this.#ws.subscribe(topic)
  }
  unsubscribe(topic: string): void {
    if (!this.closed) this.#ws.unsubscribe(topic)
  }
  isSubscribed(topic: string): boolean {
    return !this.closed && this.#ws.isSubscribed(topic)
  }
  publish(topic: string, data: Data, compress?: boolean): number {
    if (this.closed) return 0
    return this.#ws.publish(topic, bytes(data), typeof data !== 'string', !!compress) ? byteLength(data) : 0
  }
  cork<R>(callback: (ws: ServerWebSocket<T>) => R): R {
    let result!: R
    if (this.closed) return callback(this)
    this.#ws.cork(() => (result = callback(this)))
    return result
  }

  /** The server's `publish`, for the app object: every subscriber in this worker. */
  static publish(app: TemplatedApp, topic: string, data: Data, compress?: boolean): number {
    return app.publish(topic, bytes(data), typeof data !== 'string', !!compress) ? byteLength(data) : 0
  }
}

function bytes(data: Data): string | ArrayBuffer | Uint8Array {
  if (typeof data === 'string' || data instanceof ArrayBuffer) return data
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
}

function byteLength(data: Data): number {
  return typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength
}

/** Bun's answer: bytes sent, -1 when queued under backpressure, 0 when dropped. */
function status(sent: number, data: Data): number {
  if (sent === SENT) return byteLength(data) || 1
  return sent === DROPPED ? 0 : -1
}
