import type { IncomingMessage, ServerResponse } from 'node:http'
import { fetchToNodeListener, respondWithError } from '../app/fetch-listener.js'
import type { App, NodeListener } from '../app/types.js'
import type { AccessLog } from '../log/access-log.js'
import type { Logger } from '../log/logger.js'
import type { Hooks, WorkerInfo } from '../settings/types.js'
import { runHookSync } from '../arbiter/hook-runner.js'
import { countResponseBytes } from './count-bytes.js'
import { captureResponseHeaders } from './response-headers.js'

/** The runtime's side of every request: in-flight tracking, keep-alive, max-requests. */
export interface RequestAccounting {
  started(res: ServerResponse): void
  finished(res: ServerResponse): void
}

interface ListenerOptions {
  app: App
  hooks: Hooks
  worker: WorkerInfo
  log: Logger
  accessLog: AccessLog | undefined
  accounting: RequestAccounting
}

const WRITE_ACCESS_LOG = Symbol('gu.writeAccessLog')

/**
 * The app as a node:http listener with what every request gets around it: hooks, the access log,
 * request accounting, and a 500 (not a dead worker) when the app throws or rejects.
 */
export function createRequestListener(options: ListenerOptions): NodeListener {
  const { hooks, worker, log, accessLog, accounting } = options
  const onAppError = (error: unknown, req: IncomingMessage) => log.error(`Error handling request ${req.url}`, error)
  const app = options.app
  const call = app.interface === 'node' ? app.listener : fetchToNodeListener(app.fetch, onAppError)

  const invoke = (req: IncomingMessage, res: ServerResponse) => {
    try {
      const result = call(req, res)
      if (result instanceof Promise) result.catch((error) => fail(req, res, error))
    } catch (error) {
      fail(req, res, error)
    }
  }

  const fail = (req: IncomingMessage, res: ServerResponse, error: unknown) => {
    onAppError(error, req)
    respondWithError(res)
  }

  // One handler shared by every response (no closure per request: this is the hot path).
  // 'close' follows 'finish' on every response, and comes alone when the client goes away.
  function onClose(this: ServerResponse & { [WRITE_ACCESS_LOG]?: () => void }) {
    if (accessLog) this[WRITE_ACCESS_LOG]?.()
    if (hooks.postRequest) runHookSync(hooks, log, 'postRequest', worker, this.req, this)
    accounting.finished(this)
  }

  return (req, res) => {
    accounting.started(res)
    if (accessLog) Object.assign(res, { [WRITE_ACCESS_LOG]: beginAccessEntry(req, res, accessLog) })
    res.on('close', onClose)
    if (!hooks.preRequest) return invoke(req, res)
    Promise.resolve()
      .then(() => hooks.preRequest!(worker, req))
      .then(
        () => invoke(req, res),
        (error) => fail(req, res, error),
      )
  }
}

/** Starts timing and counting one request for the access log; the returned function writes its line. */
function beginAccessEntry(req: IncomingMessage, res: ServerResponse, accessLog: AccessLog): () => void {
  const start = new Date()
  const startNs = process.hrtime.bigint()
  // Wrapping res.write/end/writeHead costs on every response: only for formats that read them.
  const bytes = accessLog.readsResponseBytes ? countResponseBytes(res) : () => 0
  const responseHeader = accessLog.readsResponseHeaders ? captureResponseHeaders(res) : (name: string) => res.getHeader(name)
  return () =>
    accessLog.write({
      remoteAddress: req.socket.remoteAddress ?? '-',
      method: req.method ?? '-',
      url: req.url ?? '-',
      httpVersion: req.httpVersion,
      status: res.statusCode,
      responseBytes: bytes(),
      requestHeaders: req.headers,
      responseHeader,
      start,
      durationMicros: Number(process.hrtime.bigint() - startNs) / 1000,
    })
}
