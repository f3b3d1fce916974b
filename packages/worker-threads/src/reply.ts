import type { ServerResponse } from 'node:http'

/** A short plain-text answer from gu itself (never the app's): 500, 503, 504. */
export function reply(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  const body = `${text}\n`
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body), ...headers })
  res.end(body)
}
