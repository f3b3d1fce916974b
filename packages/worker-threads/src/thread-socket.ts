import { Duplex } from 'node:stream'
import { addSocketNoops, type SocketNoops } from '@gu/core'

/** What stands behind a ThreadSocket: the request's exchange in the thread. */
export interface SocketOwner {
  /** The thread's server wrote these bytes (node's own HTTP output); `done` completes the write. */
  output(chunks: Buffer[], done: () => void): void
  /** The server ended its side of the connection. */
  outputEnded(): void
  /** The server read what was pushed: room for more request bytes. */
  readRoom(): void
  /** The connection was destroyed (by the exchange, or by the app). */
  closed(): void
}

/**
 * The connection requests reach the thread's node:http server on: the exchange of the request it
 * carries pushes the request's bytes in, and takes what the server writes straight from its writes
 * (no client, no second parse). The socket-only methods node:http may call are no-ops (core's addSocketNoops).
 */
export class ThreadSocket extends Duplex {
  remoteAddress: string | undefined
  remotePort: number | undefined
  remoteFamily: string | undefined
  localAddress: string | undefined
  localPort: number | undefined
  encrypted: boolean | undefined
  /** The request the connection carries now (see ThreadConnection), or the connection between requests. */
  owner: SocketOwner

  constructor(owner: SocketOwner) {
    super()
    this.owner = owner
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.owner.output([chunk], callback)
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this.owner.output(
      chunks.map((c) => c.chunk),
      callback,
    )
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.owner.outputEnded()
    callback()
  }

  override _read(): void {
    this.owner.readRoom()
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.owner.closed()
    callback(error)
  }
}

export interface ThreadSocket extends SocketNoops {}
addSocketNoops(ThreadSocket)
