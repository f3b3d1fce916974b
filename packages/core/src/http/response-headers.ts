import type { OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import type { Http2ServerResponse } from 'node:http2'
import { framingOf, nodeFramesBody } from './node-framing.js'

type HeadersArg = OutgoingHttpHeaders | OutgoingHttpHeader[] | undefined

/**
 * Reads a response header for the access log's `{name}o`. Headers an app passes straight to
 * `writeHead` (without `setHeader` first) never reach `getHeader`, so those are recorded here.
 */
export function captureResponseHeaders(res: ServerResponse | Http2ServerResponse): (name: string) => OutgoingHttpHeader | undefined {
  let passed: OutgoingHttpHeaders = {}
  const writeHead = res.writeHead
  res.writeHead = function (this: ServerResponse | Http2ServerResponse, statusCode: number, ...rest: unknown[]) {
    const headers = (typeof rest[0] === 'string' ? rest[1] : rest[0]) as HeadersArg
    if (headers) passed = toRecord(headers)
    return (writeHead as (...args: unknown[]) => unknown).call(this, statusCode, ...rest)
  } as typeof res.writeHead
  return (name) => {
    const lower = name.toLowerCase()
    return res.getHeader(name) ?? passed[lower] ?? (lower === 'content-length' ? framedLength(res) : undefined)
  }
}

/**
 * The Content-Length node:http wrote itself, from the length it was handed (`end(body)` before
 * any head, or the fetch adapter's known-length bodies): no header holds it.
 */
function framedLength(res: ServerResponse | Http2ServerResponse): string | undefined {
  const framing = framingOf(res)
  if (typeof framing._contentLength !== 'number' || !nodeFramesBody(framing)) return undefined
  if (res.getHeader('transfer-encoding') !== undefined) return undefined
  return String(framing._contentLength)
}

function toRecord(headers: Exclude<HeadersArg, undefined>): OutgoingHttpHeaders {
  if (!Array.isArray(headers)) return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]))
  // writeHead also takes [[name, value], …] and the flat [name, value, name, value, …].
  const pairs = Array.isArray(headers[0]) ? (headers as unknown as [string, OutgoingHttpHeader][]) : chunk(headers)
  const record: OutgoingHttpHeaders = {}
  for (const [name, value] of pairs) record[String(name).toLowerCase()] = value
  return record
}

function chunk(flat: OutgoingHttpHeader[]): [string, OutgoingHttpHeader][] {
  const pairs: [string, OutgoingHttpHeader][] = []
  for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([String(flat[i]), flat[i + 1]!])
  return pairs
}
