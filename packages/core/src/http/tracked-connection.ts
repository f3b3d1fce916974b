import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

/**
 * Where a connection is, as the guard sees it:
 * `head`: waiting for (or reading) a request head; `body`: a request's body is still arriving;
 * `app`: every request received is with the app; `idle`: kept alive between requests.
 */
export type Phase = 'head' | 'body' | 'app' | 'idle'

/** What the guard's limits are, in milliseconds and bytes a second; 0 turns a limit off. */
export interface SlowClientLimits {
  readonly headerTimeoutMs: number
  readonly bodyTimeoutMs: number
  readonly minBodyRate: number
}

/** One client connection, from its accept to its close. */
export class TrackedConnection {
  readonly socket: Socket
  /** Where an answer is written: the socket, or its TLS layer once the handshake is done (none before). */
  reply: Socket | undefined
  phase: Phase = 'head'
  /** When the phase began (head: accept, or the first byte after idling); not moved for 'app', where nothing reads it. */
  since: number
  /** Requests received and not yet answered (pipelining can make it more than one). */
  inFlight = 0
  /** The latest request and its response. */
  req: IncomingMessage | undefined
  res: ServerResponse | undefined
  /** Its place in the guard's list of open connections (-1: not in it). */
  slot = -1
  /** Handed to another protocol (an HTTP/2 session): counted, never timed or shed. */
  released = false
  /** bytesRead at the start of the phase, or of the body's current window. */
  #mark = 0
  #windowStart: number
  /** The last time bytes were seen arriving, and how many had by then: "sent least for longest". */
  #lastBytes = 0
  lastProgress: number

  constructor(socket: Socket, now: number) {
    this.socket = this.reply = socket
    this.since = this.#windowStart = this.lastProgress = now
  }

  get bytesRead(): number {
    return this.socket.bytesRead
  }

  /** Whether bytes arrived since last asked; moves `lastProgress` if so. */
  progressed(now: number): boolean {
    const bytes = this.bytesRead
    if (bytes === this.#lastBytes) return false
    this.#lastBytes = bytes
    this.lastProgress = now
    return true
  }

  /** `clock` is read only for a request with a body: the 'app' phase's start is never compared (one clock read less per request). */
  requestBegan(req: IncomingMessage, res: ServerResponse, clock: () => number): void {
    this.inFlight++
    this.req = req
    this.res = res
    if (hasBody(req)) this.#enter('body', clock())
    else this.phase = 'app'
  }

  /** Still receiving a body? A complete one moves the connection on (to the app, or idle). */
  receiving(): boolean {
    if (this.phase !== 'body') return this.phase === 'head'
    if (!this.req!.complete) return true
    this.phase = this.inFlight > 0 ? 'app' : 'idle'
    this.#mark = this.bytesRead
    return false
  }

  responseClosed(now: number): void {
    if (--this.inFlight > 0) return
    // An unread body is still being read (and dropped) by node after the response: keep timing it.
    if (this.req && !this.req.complete) return
    this.#enter('idle', now)
  }

  /** Whether a 408 may still be written: a head is arriving, or the one request's response hasn't begun. */
  get canAnswer(): boolean {
    if (!this.reply) return false
    return (this.inFlight === 0 && this.phase === 'head') || (this.inFlight === 1 && !this.res?.headersSent)
  }

  /** Whether it may be shed: nothing of a response is under way (its request may be with the app, waiting for its body). */
  get sheddable(): boolean {
    return this.inFlight === 0 || (this.inFlight === 1 && !this.res?.headersSent)
  }

  /**
   * One sweep: advances the phase and says whether the client broke a limit (`header` or `body`),
   * or whether it is uploading a body the app is waiting for (`uploading`: not the app's time).
   */
  check(now: number, limits: SlowClientLimits): 'header' | 'body' | 'uploading' | undefined {
    if (this.phase === 'idle') {
      if (this.bytesRead === this.#mark) return undefined
      this.#enter('head', now) // the next request has begun
    }
    if (this.phase === 'head') return limits.headerTimeoutMs > 0 && now - this.since >= limits.headerTimeoutMs ? 'header' : undefined
    if (!this.receiving()) return undefined
    const req = this.req!
    if (limits.bodyTimeoutMs <= 0) return undefined
    // Bytes received and not yet read: the app is the slow one, so the window starts again.
    if (req.readableLength > 0) {
      this.#restartWindow(now)
      return undefined
    }
    if (now - this.#windowStart < limits.bodyTimeoutMs) return 'uploading'
    const needed = Math.max(1, (limits.minBodyRate * limits.bodyTimeoutMs) / 1000)
    if (this.bytesRead - this.#mark < needed) return 'body'
    this.#restartWindow(now)
    return 'uploading'
  }

  #enter(phase: Phase, now: number): void {
    this.phase = phase
    this.since = now
    // In 'app' no byte count is compared (the next phase starts its own): one socket read less per request.
    if (phase !== 'app') this.#restartWindow(now)
  }

  #restartWindow(now: number): void {
    this.#windowStart = now
    this.#mark = this.bytesRead
  }
}

/** Whether a request has a body to receive (RFC 9112 §6.3: Transfer-Encoding, or a Content-Length above 0). */
function hasBody(req: IncomingMessage): boolean {
  const { headers } = req
  if (headers['transfer-encoding'] !== undefined) return true
  const length = headers['content-length']
  return length !== undefined && length !== '0'
}
