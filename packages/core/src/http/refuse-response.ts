// Answering a refused request through node:http's response, so pipelined answers keep their order.
import type { ServerResponse } from 'node:http'
import { REFUSAL_TEXT, type Refusal, refusalBody } from './refusal.js'

export function refuseOnResponse(res: ServerResponse, refusal: Refusal): void {
  const body = refusalBody(refusal)
  res.shouldKeepAlive = false
  res.writeHead(refusal.status, REFUSAL_TEXT[refusal.status], {
    connection: 'close',
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  })
  res.end(body)
}
