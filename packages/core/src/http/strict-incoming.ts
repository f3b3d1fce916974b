// The IncomingMessage gu's node:http servers build: it holds the body to --limit-request-body
// and refuses trailers that may not be trailers, where node's parser hands them over unchecked.
import { IncomingMessage, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { checkTrailers } from './check-request.js'
import type { Refusal } from './refusal.js'
import type { RequestRules } from './request-rules.js'
import { refuseOnResponse } from './refuse-response.js'

/** Where a server's rules hang, for the requests it builds. */
export const RULES = Symbol('gu.requestRules')

export class StrictIncomingMessage extends IncomingMessage {
  /** The response to this request, set when it is dispatched (to answer a body-time refusal). */
  guResponse: ServerResponse | undefined = undefined
  #limit: number
  #bytes = 0
  #refusal: Refusal | undefined = undefined

  constructor(socket: Socket) {
    super(socket)
    const rules = (socket as { server?: { [RULES]?: RequestRules } } | null)?.server?.[RULES]
    this.#limit = rules?.limitRequestBody ?? 0
  }

  // Called by node's parser with each piece of body, and null at its end.
  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    // A refused body is read and dropped until the connection closes, so the answer isn't lost to a reset.
    if (this.#refusal) return true
    if (chunk === null) return super.push(chunk)
    if (this.#limit > 0 && (this.#bytes += (chunk as Buffer).length) > this.#limit) {
      this.refuse({ status: 413, reason: `the body is larger than ${this.#limit} bytes (--limit-request-body)` })
      return true
    }
    return super.push(chunk, encoding)
  }

  // node's parser hands over the trailer here (with `complete` set) just before the body's end.
  _addHeaderLines(headers: string[], n: number): void {
    if (this.complete) {
      const refusal = checkTrailers(headers)
      if (refusal) return this.refuse(refusal)
    }
    ;(IncomingMessage.prototype as unknown as { _addHeaderLines(h: string[], n: number): void })._addHeaderLines.call(this, headers, n)
  }

  /** The app has the request already: answer if its response hasn't started, and end the connection either way. */
  refuse(refusal: Refusal): void {
    this.#refusal = refusal
    const res = this.guResponse
    const socket = this.socket
    if (res && !res.headersSent) {
      refuseOnResponse(res, refusal)
      res.once('finish', () => socket.destroySoon())
    } else {
      socket.destroy()
    }
    // The app is told as when a client leaves mid-body ('aborted', and 'error' if it listens),
    // once the answer is out: destroying the request earlier would cut the socket.
    const abort = () => {
      if (!this.destroyed) this.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }))
    }
    if (socket.destroyed) abort()
    else socket.once('close', abort)
  }
}
