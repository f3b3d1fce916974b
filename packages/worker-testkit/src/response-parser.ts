// An HTTP/1.1 response parser for raw-socket checks: it frames bodies by the rules, so bytes a
// server should not have sent (a body on HEAD, 204 or 304) show up as the start of the next response.

export interface RawResponse {
  readonly statusLine: string
  readonly status: number
  /** Lower-case names; repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: Buffer
}

export type ParseResult = { response: RawResponse; consumed: number } | 'incomplete'

export class MalformedResponse extends Error {}

const CRLF = Buffer.from('\r\n')
const HEAD_END = Buffer.from('\r\n\r\n')

/**
 * Parses the response at the start of `data` to the request `method`. `closed`: the server has
 * closed the connection, which ends a body framed by neither length nor chunking.
 */
export function parseResponse(data: Buffer, method: string, closed: boolean): ParseResult {
  const headEnd = data.indexOf(HEAD_END)
  if (headEnd < 0) {
    const start = data.subarray(0, 5).toString('latin1')
    if (!'HTTP/'.startsWith(start)) throw new MalformedResponse(`expected a status line, got ${JSON.stringify(data.subarray(0, 40).toString('latin1'))}`)
    return 'incomplete'
  }
  const lines = data.subarray(0, headEnd).toString('latin1').split('\r\n')
  const statusLine = lines[0]!
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)
  if (!match) throw new MalformedResponse(`expected a status line, got ${JSON.stringify(statusLine.slice(0, 40))}`)
  const status = Number(match[1])
  const headers: Record<string, string> = {}
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':')
    if (colon <= 0) throw new MalformedResponse(`malformed header line ${JSON.stringify(line)}`)
    const name = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`
  }
  const bodyStart = headEnd + HEAD_END.length
  const done = (body: Buffer, end: number): ParseResult => ({ response: { statusLine, status, headers, body }, consumed: end })

  if (method === 'HEAD' || (status >= 100 && status < 200) || status === 204 || status === 304) return done(Buffer.alloc(0), bodyStart)
  if (/\bchunked\b/i.test(headers['transfer-encoding'] ?? '')) return parseChunked(data, bodyStart, (body, end) => done(body, end))
  if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length'])
    if (!Number.isInteger(length) || length < 0) throw new MalformedResponse(`bad Content-Length ${headers['content-length']}`)
    if (data.length < bodyStart + length) return 'incomplete'
    return done(data.subarray(bodyStart, bodyStart + length), bodyStart + length)
  }
  // Neither: the body runs to the end of the connection.
  return closed ? done(data.subarray(bodyStart), data.length) : 'incomplete'
}

function parseChunked(data: Buffer, start: number, done: (body: Buffer, end: number) => ParseResult): ParseResult {
  const parts: Buffer[] = []
  let at = start
  for (;;) {
    const lineEnd = data.indexOf(CRLF, at)
    if (lineEnd < 0) return 'incomplete'
    const sizeText = data.subarray(at, lineEnd).toString('latin1').split(';')[0]!.trim()
    if (!/^[0-9a-f]+$/i.test(sizeText)) throw new MalformedResponse(`bad chunk size ${JSON.stringify(sizeText)}`)
    const size = parseInt(sizeText, 16)
    at = lineEnd + 2
    if (size === 0) {
      // Trailers, if any, then an empty line.
      for (;;) {
        const end = data.indexOf(CRLF, at)
        if (end < 0) return 'incomplete'
        const empty = end === at
        at = end + 2
        if (empty) return done(Buffer.concat(parts), at)
      }
    }
    if (data.length < at + size + 2) return 'incomplete'
    parts.push(data.subarray(at, at + size))
    at += size + 2
  }
}
