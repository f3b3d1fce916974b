import type { Http2ServerRequest } from 'node:http2'
import { fetchToNodeListener, respondWithError } from '../app/fetch-listener.js'
import type { RequestView, WorkerRuntime } from '../worker/types.js'
import { addCloseHook } from './close-hooks.js'
import { type NodeRequest, type NodeResponse, NodeRequestView, NodeResponseView } from './node-views.js'

const ENDED = Symbol('gu.ended')
type Tracked = NodeResponse & { [ENDED]?: NodeResponseView }

/** The listener for `http.createServer`, `https.createServer` or `http2.createServer` (compatibility API). */
export type NodeEngineListener = (req: NodeRequest, res: NodeResponse) => void

/**
 * The app as a node:http (or node:http2 compatibility) request listener, built on the runtime's
 * request API: every request is reported to `worker.beginRequest` and its end to `end`, so
 * hooks, the access log, accounting and max-requests happen as on every other engine. A fetch
 * app is adapted; a throwing app gets a 500, not a dead worker. A connection that must end after
 * its response gets `Connection: close` on HTTP/1 and GOAWAY on HTTP/2.
 */
export function nodeRequestListener(worker: WorkerRuntime): NodeEngineListener {
  const { app, log } = worker
  if (!app) throw new Error('nodeRequestListener serves the app the runtime loaded; this class declares loadsApp')
  const onAppError = (error: unknown, req: NodeRequest) => log.error(`Error handling request ${req.url}`, error)
  const call = (app.interface === 'node' ? app.listener : fetchToNodeListener(app.fetch, onAppError)) as (req: NodeRequest, res: NodeResponse) => unknown
  const needs = worker.needs

  const fail = (req: NodeRequest, res: NodeResponse, error: unknown) => {
    onAppError(error, req)
    respondWithError(res)
  }
  const invoke = (req: NodeRequest, res: NodeResponse) => {
    try {
      const result = call(req, res)
      if (result instanceof Promise) result.catch((error) => fail(req, res, error))
    } catch (error) {
      fail(req, res, error)
    }
  }

  return (req, res) => {
    const request = new NodeRequestView(req, res, needs.remoteAddress)
    const active = worker.beginRequest(request, endConnection)
    if (active.closeConnection) endConnection(request)
    ;(res as Tracked)[ENDED] = new NodeResponseView(res, needs, active)
    addCloseHook(res as Tracked, onClose)
    if (!active.admitted) return invoke(req, res)
    active.admitted.then(
      () => invoke(req, res),
      (error) => fail(req, res, error),
    )
  }
}

// One hook shared by every response (no closure per request: this is the hot path).
function onClose(res: Tracked): void {
  const ended = res[ENDED]
  ended?.active.end(ended)
}

/** HTTP/1: no keep-alive after this response (if its head is still to go). HTTP/2: GOAWAY, the open streams finish. */
function endConnection(view: RequestView): void {
  const request = view as NodeRequestView
  if (request.http2) {
    const session = (request.native as Http2ServerRequest).stream?.session
    if (session && !session.closed) session.close()
    return
  }
  const res = request.response as (NodeResponse & { shouldKeepAlive: boolean }) | undefined
  if (res && !res.headersSent) res.shouldKeepAlive = false
}
