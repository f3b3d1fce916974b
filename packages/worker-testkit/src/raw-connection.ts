// A plain TCP connection for the checks node:http's client would smooth over: pipelining,
// interim responses, framing of bodiless responses, clients that leave half-way.
import net from 'node:net'
import { type RawResponse, parseResponse } from './response-parser.js'
import { pollUntil } from './wait.js'

export class RawConnection {
  readonly socket: net.Socket
  /** Bytes received and not yet taken by `readResponse`. */
  pending: Buffer = Buffer.alloc(0)
  /** The server ended or closed the connection. */
  closed = false
  error: Error | undefined

  private constructor(socket: net.Socket) {
    this.socket = socket
    socket.on('data', (chunk: Buffer) => (this.pending = Buffer.concat([this.pending, chunk])))
    socket.on('end', () => (this.closed = true))
    socket.on('close', () => (this.closed = true))
    socket.on('error', (error) => {
      this.error = error
      this.closed = true
    })
  }

  static open(port: number, timeoutMs = 3000): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1')
      const timer = setTimeout(() => socket.destroy(new Error(`could not connect within ${timeoutMs}ms`)), timeoutMs)
      socket.once('connect', () => {
        clearTimeout(timer)
        resolve(new RawConnection(socket))
      })
      socket.once('error', (error) => {
        clearTimeout(timer)
        reject(error)
      })
    })
  }

  write(data: string | Buffer): void {
    this.socket.write(data)
  }

  /**
   * The next response to a `method` request, or undefined if none is complete within `timeoutMs`
   * (then `closed` says whether the server hung up). A malformed response throws.
   */
  async readResponse(method: string, timeoutMs: number): Promise<RawResponse | undefined> {
    const parsed = await pollUntil(() => {
      const result = parseResponse(this.pending, method, this.closed)
      if (result !== 'incomplete') return result
      return this.closed ? { closedEarly: true as const } : undefined
    }, timeoutMs, 10)
    if (!parsed || 'closedEarly' in parsed) return undefined
    this.pending = this.pending.subarray(parsed.consumed)
    return parsed.response
  }

  /** Whether at least `bytes` more bytes arrive within `timeoutMs`. */
  async waitForBytes(bytes: number, timeoutMs: number): Promise<boolean> {
    return (await pollUntil(() => this.pending.length >= bytes, timeoutMs, 10)) === true
  }

  /** Whether the server closes the connection within `timeoutMs`. */
  async waitForClose(timeoutMs: number): Promise<boolean> {
    return (await pollUntil(() => this.closed, timeoutMs, 10)) === true
  }

  destroy(): void {
    this.socket.destroy()
  }
}

/** A request head as a client writes it. */
export function requestHead(method: string, target: string, headers: Record<string, string | number> = {}): string {
  const lines = [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1']
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`)
  return `${lines.join('\r\n')}\r\n\r\n`
}
