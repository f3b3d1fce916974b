/** What ResponseReader finds in the server's output, in order. */
export interface ResponseSink {
  /** `headers`: [name, value, …] as node wrote them. */
  responseHead(status: number, message: string, headers: string[]): void
  responseBody(piece: Buffer): void
  responseEnd(trailers: Record<string, string> | undefined): void
}

const CRLF2 = Buffer.from('\r\n\r\n')

type State = 'head' | 'length' | 'size' | 'data' | 'data-crlf' | 'trailers' | 'until-end' | 'done'

/**
 * Reads one response from what the thread's node:http server writes to its socket. That is node's
 * own output, so well formed: a head up to the first empty line (1xx interim heads skipped), then
 * the body by the framing node chose — Content-Length, chunked (with trailers), none for HEAD, 204
 * and 304, else until the server ends the connection — so it needs no general HTTP parser.
 */
export class ResponseReader {
  readonly #sink: ResponseSink
  readonly #headRequest: boolean
  #state: State = 'head'
  /** Bytes of a head, chunk-size line or trailers not complete yet. */
  #partial: Buffer | undefined
  /** Body bytes left: of the Content-Length, of the chunk, or of a chunk's CRLF. */
  #left = 0

  constructor(sink: ResponseSink, headRequest: boolean) {
    this.#sink = sink
    this.#headRequest = headRequest
  }

  get complete(): boolean {
    return this.#state === 'done'
  }

  write(chunk: Buffer): void {
    let at = 0
    while (at < chunk.length && this.#state !== 'done') {
      switch (this.#state) {
        case 'head':
        case 'trailers':
        case 'size':
          at = this.#line(chunk, at)
          break
        case 'length':
        case 'data': {
          const n = Math.min(this.#left, chunk.length - at)
          this.#sink.responseBody(chunk.subarray(at, at + n))
          at += n
          this.#left -= n
          if (this.#left > 0) break
          if (this.#state === 'length') this.#end(undefined)
          else {
            this.#state = 'data-crlf'
            this.#left = 2
          }
          break
        }
        case 'data-crlf': {
          const n = Math.min(this.#left, chunk.length - at)
          at += n
          this.#left -= n
          if (this.#left === 0) this.#state = 'size'
          break
        }
        case 'until-end':
          this.#sink.responseBody(at === 0 ? chunk : chunk.subarray(at))
          at = chunk.length
          break
      }
    }
  }

  /** The server ended the connection; true if that completed the response (a body until the end). */
  end(): boolean {
    if (this.#state === 'until-end') this.#end(undefined)
    return this.#state === 'done'
  }

  /** A head, a chunk-size line or the trailers: gathered until complete, then taken in. */
  #line(chunk: Buffer, at: number): number {
    const before = this.#partial?.length ?? 0
    const bytes = this.#partial ? Buffer.concat([this.#partial, chunk.subarray(at)]) : at === 0 ? chunk : chunk.subarray(at)
    const search = Math.max(0, before - 3)
    let stop: number
    let next: number
    if (this.#state === 'size') {
      stop = bytes.indexOf('\r\n', Math.max(0, before - 1), 'latin1')
      next = stop + 2
    } else if (this.#state === 'trailers' && bytes[0] === 13 && bytes[1] === 10) {
      // No trailers: the last chunk's line is followed by the empty line at once.
      stop = 0
      next = 2
    } else {
      stop = bytes.indexOf(CRLF2, search)
      next = stop + 4
    }
    if (stop === -1) {
      this.#partial = Buffer.from(bytes)
      return chunk.length
    }
    this.#partial = undefined
    const text = bytes.toString('latin1', 0, stop)
    if (this.#state === 'head') this.#takeHead(text)
    else if (this.#state === 'size') this.#takeSize(text)
    else this.#end(stop === 0 ? undefined : trailerRecord(text))
    // Where `next` falls in `chunk`: `bytes` began `before` bytes ahead of chunk[at].
    return at + next - before
  }

  #takeHead(text: string): void {
    const lines = text.split('\r\n')
    const statusLine = lines[0]!
    const space = statusLine.indexOf(' ')
    const status = Number(statusLine.slice(space + 1, space + 4))
    // Interim (100 Continue, 103 Early Hints, …): not passed on; the final head follows.
    if (status < 200) return
    const message = statusLine.slice(space + 5)
    const headers: string[] = []
    let length = -1
    let chunked = false
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!
      const colon = line.indexOf(':')
      const name = line.slice(0, colon)
      const value = fieldValue(line, colon)
      headers.push(name, value)
      if (name.length === 14 && name.toLowerCase() === 'content-length') length = Number(value)
      else if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') chunked = /(?:^|,)[ \t]*chunked[ \t]*$/i.test(value)
    }
    this.#sink.responseHead(status, message, headers)
    if (this.#headRequest || status === 204 || status === 304) this.#end(undefined)
    else if (chunked) this.#state = 'size'
    else if (length === 0) this.#end(undefined)
    else if (length > 0) {
      this.#state = 'length'
      this.#left = length
    } else this.#state = 'until-end'
  }

  #takeSize(text: string): void {
    const size = Number.parseInt(text, 16)
    if (size === 0) this.#state = 'trailers'
    else {
      this.#state = 'data'
      this.#left = size
    }
  }

  #end(trailers: Record<string, string> | undefined): void {
    this.#state = 'done'
    this.#sink.responseEnd(trailers)
  }
}

/** The value of a field line whose colon is at `colon`, without the whitespace around it (node writes `Name: value`). */
function fieldValue(line: string, colon: number): string {
  let start = colon + 1
  let end = line.length
  while (start < end && isOws(line.charCodeAt(start))) start++
  while (end > start && isOws(line.charCodeAt(end - 1))) end--
  return line.slice(start, end)
}

function isOws(code: number): boolean {
  return code === 32 || code === 9
}

/** Trailer lines as node's IncomingMessage.trailers has them: names lower-cased, repeats joined. */
function trailerRecord(text: string): Record<string, string> {
  const trailers: Record<string, string> = {}
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':')
    const name = line.slice(0, colon).toLowerCase()
    const value = fieldValue(line, colon)
    trailers[name] = trailers[name] === undefined ? value : `${trailers[name]}, ${value}`
  }
  return trailers
}
