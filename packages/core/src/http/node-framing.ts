import type { ServerResponse } from 'node:http'
import type { Http2ServerResponse } from 'node:http2'

/** node:http's own fields for a response's framing (an HTTP/2 response has none of them). */
export interface NodeFraming {
  _contentLength: number | null
  _hasBody: boolean
  _removedContLen: boolean
  useChunkedEncodingByDefault: boolean
}

/** The framing fields of `res`, where node:http keeps them. */
export function framingOf(res: ServerResponse | Http2ServerResponse): Partial<NodeFraming> {
  return res as unknown as Partial<NodeFraming>
}

/**
 * Whether node:http frames this response's body itself, writing its Content-Length line from
 * `_contentLength`: an HTTP/1.1 response with a body whose Content-Length wasn't removed.
 */
export function nodeFramesBody(framing: Partial<NodeFraming>): boolean {
  return framing._hasBody === true && framing.useChunkedEncodingByDefault === true && framing._removedContLen === false
}
