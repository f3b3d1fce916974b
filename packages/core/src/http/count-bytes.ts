import type { ServerResponse } from 'node:http'
import type { Http2ServerResponse } from 'node:http2'

type Chunk = string | Uint8Array
type AnyResponse = ServerResponse | Http2ServerResponse

function size(chunk: unknown, encoding: unknown): number {
  if (typeof chunk === 'string') return Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
  return chunk instanceof Uint8Array ? chunk.byteLength : 0
}

/**
 * Counts the body bytes an app writes to `res` (the access log's `b`/`B`); returns the reader.
 * HTTP/2's `end(chunk)` calls `write(chunk)` itself: a chunk is counted once, by whichever the
 * app called.
 */
export function countResponseBytes(res: AnyResponse): () => number {
  let bytes = 0
  let ending = false
  const write = res.write
  const end = res.end
  res.write = function (this: AnyResponse, chunk: Chunk, ...rest: unknown[]) {
    if (!ending) bytes += size(chunk, rest[0])
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest)
  } as AnyResponse['write']
  res.end = function (this: AnyResponse, chunk?: unknown, ...rest: unknown[]) {
    if (typeof chunk !== 'function') bytes += size(chunk, rest[0])
    ending = true
    try {
      return (end as (...args: unknown[]) => AnyResponse).call(this, chunk, ...rest)
    } finally {
      ending = false
    }
  } as AnyResponse['end']
  return () => bytes
}
