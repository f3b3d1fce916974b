import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2'

/** What the fetch adapter serves on: node:http, or node:http2's compatibility API. */
export type NodeRequest = IncomingMessage | Http2ServerRequest
export type NodeResponse = ServerResponse | Http2ServerResponse

/** The header names HTTP/2 forbids (RFC 9113 §8.2.2). */
export const HTTP1_ONLY = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade'])

export const isHttp2 = (res: NodeResponse): res is Http2ServerResponse => 'stream' in res
