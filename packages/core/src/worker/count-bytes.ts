import type { ServerResponse } from 'node:http'

type Chunk = string | Uint8Array

function size(chunk: unknown, encoding: unknown): number {
  if (typeof chunk === 'string') return Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
  return chunk instanceof Uint8Array ? chunk.byteLength : 0
}

/** Counts the body bytes an app writes to `res` (the access log's `b`/`B`); returns the reader. */
export function countResponseBytes(res: ServerResponse): () => number {
  let bytes = 0
  const write = res.write
  const end = res.end
  res.write = function (this: ServerResponse, chunk: Chunk, ...rest: unknown[]) {
    bytes += size(chunk, rest[0])
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest)
  } as ServerResponse['write']
  res.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
    if (typeof chunk !== 'function') bytes += size(chunk, rest[0])
    return (end as (...args: unknown[]) => ServerResponse).call(this, chunk, ...rest)
  } as ServerResponse['end']
  return () => bytes
}
