import type { RequestHead } from './protocol.js'

/**
 * The request's head as the thread's server reads it: the client's own header lines (latin1, as
 * node's parser decoded them), behind an HTTP/1.1 request line (thread-server restores the
 * client's version). The body keeps the client's framing: by Content-Length as sent, or re-chunked
 * (see chunkBytes) when it came chunked, since the main thread's parser took its chunks apart.
 */
export function requestHeadBytes(head: RequestHead): Buffer {
  // CONNECT goes as GET /: node's server would turn it into a tunnel (thread-server restores it).
  let text = head.method === 'CONNECT' ? 'GET / HTTP/1.1\r\n' : `${head.method} ${head.url} HTTP/1.1\r\n`
  const raw = head.rawHeaders
  for (let i = 0; i < raw.length; i += 2) text += `${raw[i]}: ${raw[i + 1]}\r\n`
  return Buffer.from(`${text}\r\n`, 'latin1')
}

/** The request came with Transfer-Encoding: its body goes on in chunks. */
export function isChunked(head: RequestHead): boolean {
  const raw = head.rawHeaders
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.length === 17 && raw[i]!.toLowerCase() === 'transfer-encoding') return true
  return false
}

/** One chunk of a chunked body (never empty: an empty chunk would end the body). */
export function chunkBytes(body: Uint8Array): Buffer {
  const size = `${body.byteLength.toString(16)}\r\n`
  const out = Buffer.allocUnsafe(size.length + body.byteLength + 2)
  out.write(size, 0, 'latin1')
  out.set(body, size.length)
  out.write('\r\n', size.length + body.byteLength, 'latin1')
  return out
}

/** The last chunk and the trailers. */
export function lastChunkBytes(trailers: Record<string, string> | undefined): Buffer {
  let text = '0\r\n'
  if (trailers) for (const name of Object.keys(trailers)) text += `${name}: ${trailers[name]}\r\n`
  return Buffer.from(`${text}\r\n`, 'latin1')
}
