// A WebSocket client for checks: each step bounded in time, failures as plain messages.
import type { IncomingHttpHeaders } from 'node:http'
import WebSocket from 'ws'

export interface WsMessage {
  readonly data: Buffer
  readonly binary: boolean
}

export interface WsClosed {
  readonly code: number
  readonly reason: string
  readonly at: number
}

/** One open client socket, with its messages queued and its close remembered. */
export class WsClient {
  readonly #ws: WebSocket
  readonly #queue: WsMessage[] = []
  #waiting: ((message: WsMessage) => void) | undefined
  readonly closed: Promise<WsClosed>
  /** The headers of the server's 101 answer. */
  readonly handshake: IncomingHttpHeaders

  private constructor(ws: WebSocket, handshake: IncomingHttpHeaders) {
    this.#ws = ws
    this.handshake = handshake
    ws.on('message', (data: Buffer, binary: boolean) => {
      const message = { data: Buffer.from(data), binary }
      const waiting = this.#waiting
      this.#waiting = undefined
      if (waiting) waiting(message)
      else this.#queue.push(message)
    })
    this.closed = new Promise((resolve) => ws.on('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString(), at: Date.now() })))
  }

  /** Opens a client socket, sending `headers` with the handshake. */
  static open(url: string, timeoutMs = 5000, headers: Record<string, string> = {}): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { maxPayload: 64 * 1024 * 1024, handshakeTimeout: timeoutMs, headers })
      let handshake: IncomingHttpHeaders = {}
      ws.once('upgrade', (res) => (handshake = res.headers))
      ws.once('open', () => resolve(new WsClient(ws, handshake)))
      ws.once('unexpected-response', (_req, res) => {
        ws.terminate()
        reject(new Error(`the WebSocket handshake to ${url} was answered ${res.statusCode}, not 101`))
      })
      ws.once('error', (error) => reject(new Error(`the WebSocket to ${url} failed: ${error.message}`)))
    })
  }

  send(data: string | Buffer): void {
    this.#ws.send(data, { binary: typeof data !== 'string' })
  }

  next(timeoutMs: number): Promise<WsMessage> {
    const queued = this.#queue.shift()
    if (queued) return Promise.resolve(queued)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no WebSocket message came back within ${timeoutMs / 1000}s`)), timeoutMs)
      this.#waiting = (message) => {
        clearTimeout(timer)
        resolve(message)
      }
    })
  }

  close(code?: number, reason?: string): void {
    this.#ws.close(code, reason)
  }

  terminate(): void {
    this.#ws.terminate()
  }
}
