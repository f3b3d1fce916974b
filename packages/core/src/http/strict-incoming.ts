// The IncomingMessage gu's node:http servers build: it holds the body to --limit-request-body
// and refuses trailers that may not be trailers, where node's parser hands them over unchecked.
import { IncomingMessage, type ServerResponse } from 'node:http'
import { checkTrailers } from './check-request.js'
import type { Refusal } from './refusal.js'
import type { RequestRules } from './request-rules.js'
import { refuseOnResponse } from './refuse-response.js'

/** Where a server's rules hang, for the requests it builds. */
export const RULES = Symbol('gu.requestRules')

/** The body's running size, and the refusal once there is one: set only on requests that need them. */
const BYTES = Symbol('gu.bodyBytes')
const REFUSAL = Symbol('gu.refusal')

// No constructor and no private state: this object is made for every request, and node's own
// code that handles it runs faster when it has IncomingMessage's shape plus one field.
export class StrictIncomingMessage extends IncomingMessage {
  /** The response to this request, set when it is dispatched (to answer a body-time refusal). */
  guResponse: ServerResponse | undefined = undefined
  declare [BYTES]: number | undefined
  declare [REFUSAL]: Refusal | undefined

  // Called by node's parser with each piece of body, and null at its end.
  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    // A refused body is read and dropped until the connection closes, so the answer isn't lost to a reset.
    if (this[REFUSAL]) return true
    if (chunk === null) return super.push(chunk)
    const limit = (this.socket as { server?: { [RULES]?: RequestRules } } | null)?.server?.[RULES]?.limitRequestBody ?? 0
    if (limit > 0 && (this[BYTES] = (this[BYTES] ?? 0) + (chunk as Buffer).length) > limit) {
      this.refuse({ status: 413, reason: `the body is larger than ${limit} bytes (--limit-request-body)` })
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
    this[REFUSAL] = refusal
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
