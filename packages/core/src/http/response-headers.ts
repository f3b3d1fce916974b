import type { OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import type { Http2ServerResponse } from 'node:http2'

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
  return (name) => res.getHeader(name) ?? passed[name.toLowerCase()]
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
