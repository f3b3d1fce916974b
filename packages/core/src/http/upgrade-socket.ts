import type { Duplex } from 'node:stream'
import type { ResponseView } from '../worker/types.js'

const STATUS_LINE = /^HTTP\/1\.[01] (\d{3})/

/**
 * What the access log needs of an upgraded socket the app writes to itself: the status of the
 * handshake (read from the first bytes written: 101, or the refusal) and the bytes sent after it.
 */
export class UpgradeSocketView implements ResponseView {
  statusCode = 0
  #headBytes = 0
  readonly native: Duplex

  constructor(socket: Duplex) {
    this.native = socket
    const { write, end } = socket
    // Only the first write (or an end with data: a refusal) is looked at; then the socket's own are back.
    const first = (chunk: unknown) => {
      socket.write = write
      socket.end = end
      if (chunk !== undefined && typeof chunk !== 'function') this.#sniff(chunk)
    }
    socket.write = function (this: Duplex, chunk: unknown, ...rest: unknown[]) {
      first(chunk)
      return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest)
    } as Duplex['write']
    socket.end = function (this: Duplex, chunk?: unknown, ...rest: unknown[]) {
      first(chunk)
      return (end as (...a: unknown[]) => Duplex).call(this, chunk, ...rest)
    } as Duplex['end']
  }

  /** The handshake was answered with 101. */
  get upgraded(): boolean {
    return this.statusCode === 101
  }

  #sniff(chunk: unknown): void {
    const text = typeof chunk === 'string' ? chunk.slice(0, 16) : Buffer.isBuffer(chunk) || chunk instanceof Uint8Array ? Buffer.from(chunk.buffer, chunk.byteOffset, Math.min(16, chunk.byteLength)).toString('latin1') : ''
    const match = STATUS_LINE.exec(text)
    if (!match) return
    this.statusCode = Number(match[1])
    const full = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : Buffer.from(chunk as Uint8Array)
    const end = full.indexOf('\r\n\r\n')
    this.#headBytes = end < 0 ? full.length : end + 4
  }

  get bytes(): number {
    const written = (this.native as { bytesWritten?: number }).bytesWritten ?? 0
    return Math.max(0, written - this.#headBytes)
  }
  get aborted(): boolean {
    return false
  }
  getHeader(): undefined {
    return undefined
  }
}

/** A WebSocket close frame from a server (unmasked) with `code` and no reason. */
export function closeFrame(code: number): Buffer {
  return Buffer.from([0x88, 0x02, code >> 8, code & 0xff])
}
