// What to answer when node:http's parser (llhttp) gives up on a request: its error code mapped
// to a status, sharper than node's blanket 400 where the bytes say more (414, 501, 505).
import type { Refusal } from './refusal.js'

interface ParseError extends Error {
  code?: string
  reason?: string
  rawPacket?: Buffer
  bytesParsed?: number
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const VERSIONED_LINE = /^[^ ]+ [^ ]+ HTTP\/[0-9]\.[0-9]\r$/

/** The status for a parse error, or undefined when the connection just failed (reset, …). */
export function refusalForParseError(error: ParseError): Refusal | undefined {
  const code = error.code ?? ''
  const reason = (error.reason ?? error.message).replace(/[^\x20-\x7e]/g, '?')
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return inRequestLine(error)
        ? { status: 414, reason: 'the request line is too long' }
        : { status: 431, reason: 'the request head is too large' }
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, reason: 'chunk extensions are too large' }
    // The client closed mid-request: nobody to answer, and the app is told as for any client that leaves.
    case 'HPE_INVALID_EOF_STATE':
      return undefined
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, reason: 'the request did not arrive in time' }
    case 'HPE_INVALID_VERSION':
      return VERSIONED_LINE.test(currentLine(error)) ? { status: 505, reason: 'only HTTP/1.1 and HTTP/1.0 are supported' } : { status: 400, reason }
    case 'HPE_INVALID_METHOD': {
      // A well-formed request line with a method node doesn't know: 501. Anything else is not HTTP.
      const line = currentLine(error)
      const method = line.split(' ')[0]!
      return TOKEN.test(method) && VERSIONED_LINE.test(line) ? { status: 501, reason: `the method ${JSON.stringify(method)} is not implemented` } : { status: 400, reason }
    }
    default:
      return code.startsWith('HPE_') ? { status: 400, reason } : undefined
  }
}

/** Where the failing request starts in the packet: after the last head before the error. */
function requestStart(error: ParseError): number {
  const packet = error.rawPacket
  if (!packet) return 0
  const at = Math.min(error.bytesParsed ?? packet.length, packet.length)
  const end = packet.lastIndexOf('\r\n\r\n', at)
  return end < 0 ? 0 : end + 4
}

function currentLine(error: ParseError): string {
  const packet = error.rawPacket
  if (!packet) return ''
  let start = requestStart(error)
  while (packet[start] === 13 || packet[start] === 10) start++
  const end = packet.indexOf(10, start)
  return packet.subarray(start, end < 0 ? packet.length : end).toString('latin1')
}

/** The head overflowed before its first line ended: the line itself is too long. */
function inRequestLine(error: ParseError): boolean {
  const packet = error.rawPacket
  if (!packet) return false
  const newline = packet.indexOf(10, requestStart(error))
  return newline < 0 || newline >= (error.bytesParsed ?? packet.length)
}
