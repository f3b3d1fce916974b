import type { IncomingMessage, ServerResponse } from 'node:http'
import { NodeRequestView, NodeResponseView, type RequestView, type WorkerRuntime } from '@gu/core'
import { MainExchange, type PoolSide } from './main-exchange.js'
import type { PoolOptions } from './options.js'
import { reply } from './reply.js'

/**
 * The main thread's request listener: every request is reported to the runtime (hooks, access
 * log, max-requests), then handed to the pool, or answered 503 with `Retry-After` when the queue
 * in front of the pool is full.
 */
export function threadsListener(side: PoolSide, options: PoolOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { worker, queue } = side
  const { log, needs } = worker
  let overloadedSince = 0
  const dispatch = (req: IncomingMessage, res: ServerResponse) => {
    if (!queue.full) return void new MainExchange(req, res, side)
    // One line per second at most while overloaded, not one per request.
    const now = Date.now()
    if (now - overloadedSince > 1000) {
      overloadedSince = now
      log.warning(`All ${options.threads} threads busy and ${options.queue} requests queued: answering 503`)
    }
    reply(res, 503, 'Service Unavailable', { 'retry-after': '1' })
  }
  return (req, res) => {
    const view = new NodeRequestView(req, res)
    const active = worker.beginRequest(view, endConnection)
    if (active.closeConnection) endConnection(view)
    const ended = new NodeResponseView(res, needs, active)
    res.once('close', () => active.end(ended))
    if (!active.admitted) return dispatch(req, res)
    active.admitted.then(
      () => dispatch(req, res),
      (error: unknown) => {
        log.error(`Error handling request ${req.url}`, error)
        if (!res.headersSent) reply(res, 500, 'Internal Server Error', { connection: 'close' })
      },
    )
  }
}

/** No keep-alive after this response, if its head is still to go. */
function endConnection(view: RequestView): void {
  const res = (view as NodeRequestView).response as ServerResponse
  if (!res.headersSent) res.shouldKeepAlive = false
}
