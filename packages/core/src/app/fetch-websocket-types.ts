// Bun's WebSocket API for fetch apps, as far as gu serves it: `websocket` handlers exported beside
// `fetch`, and the `ServerWebSocket` each handler is given. Hono's `hono/bun` helper and crossws's
// bun adapter are written against this shape.

/** What the socket `send` family answers, as Bun's: bytes sent, -1 when queued under backpressure, 0 when dropped. */
export type SendStatus = number

/** One open WebSocket, as Bun's `ServerWebSocket`. */
export interface ServerWebSocket<T = unknown> {
  /** What `server.upgrade(request, { data })` was given. */
  data: T
  readonly remoteAddress: string
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number
  binaryType: 'nodebuffer' | 'arraybuffer' | 'uint8array'
  send(data: string | ArrayBufferView | ArrayBuffer, compress?: boolean): SendStatus
  sendText(data: string, compress?: boolean): SendStatus
  sendBinary(data: ArrayBufferView | ArrayBuffer, compress?: boolean): SendStatus
  close(code?: number, reason?: string): void
  terminate(): void
  ping(data?: string | ArrayBufferView | ArrayBuffer): SendStatus
  pong(data?: string | ArrayBufferView | ArrayBuffer): SendStatus
  subscribe(topic: string): void
  unsubscribe(topic: string): void
  isSubscribed(topic: string): boolean
  publish(topic: string, data: string | ArrayBufferView | ArrayBuffer, compress?: boolean): SendStatus
  cork<R>(callback: (ws: ServerWebSocket<T>) => R): R
}

/** The `websocket` export beside `fetch`, as Bun.serve's `websocket` option. */
export interface WebSocketHandler<T = unknown> {
  open?(ws: ServerWebSocket<T>): unknown
  /** Text arrives as a string, binary as a Buffer. */
  message(ws: ServerWebSocket<T>, message: string | Buffer): unknown
  close?(ws: ServerWebSocket<T>, code: number, reason: string): unknown
  drain?(ws: ServerWebSocket<T>): unknown
  ping?(ws: ServerWebSocket<T>, data: Buffer): unknown
  pong?(ws: ServerWebSocket<T>, data: Buffer): unknown
  /** Largest message accepted, in bytes (Bun's default: 16 MiB); a larger one closes with 1009. */
  maxPayloadLength?: number
  /** Bytes queued on a socket before `send` answers -1 (Bun's default: 16 MiB). */
  backpressureLimit?: number
  /** permessage-deflate; off by default, as on Bun. */
  perMessageDeflate?: boolean | object
}

/** What `server.upgrade(request, options)` takes. */
export interface UpgradeOptions<T = unknown> {
  data?: T
  /** Extra headers for the 101 response. */
  headers?: HeadersInit
}
