import { Duplex } from 'node:stream'

/**
 * One end of an in-memory connection. What one end writes, the other reads, with backpressure:
 * a write completes only once the reading end has room for it. Destroying one end closes both.
 * The socket-only methods node:http may call are no-ops.
 */
export class PairedSocket extends Duplex {
  peer!: PairedSocket
  /** The callback of this end's write that the peer had no room for yet. */
  #blocked: ((error?: Error | null) => void) | undefined
  remoteAddress: string | undefined
  remotePort: number | undefined
  remoteFamily: string | undefined
  localAddress: string | undefined
  localPort: number | undefined
  encrypted: boolean | undefined

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.peer.destroyed) return callback()
    if (this.peer.push(chunk)) callback()
    else this.#blocked = callback
  }

  override _read(): void {
    // The reader has room again: let the peer's held write complete.
    const blocked = this.peer.#blocked
    this.peer.#blocked = undefined
    blocked?.()
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.peer.destroyed) this.peer.push(null)
    callback()
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const blocked = this.#blocked
    this.#blocked = undefined
    blocked?.()
    callback(error)
    if (!this.peer.destroyed) this.peer.destroy()
  }

  setTimeout(): this {
    return this
  }
  setNoDelay(): this {
    return this
  }
  setKeepAlive(): this {
    return this
  }
  ref(): this {
    return this
  }
  unref(): this {
    return this
  }
}

/** Two connected ends: [client, server]. */
export function duplexPair(): [PairedSocket, PairedSocket] {
  const a = new PairedSocket()
  const b = new PairedSocket()
  a.peer = b
  b.peer = a
  return [a, b]
}
