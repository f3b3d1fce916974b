import { createServer, type Server } from 'node:http'
import { createServer as createHttp2Server } from 'node:http2'
import { Server as NetServer } from 'node:net'
import { applyRequestRules, type ConnectionGuard, type Drainable, nodeRequestListener, type WorkerRuntime } from '@gu/core'
import { splitByPreface } from './split-by-preface.js'
import { Sessions } from './sessions.js'

/** One listening socket's engine: `server` listens; `stopAccepting` and `closeIdle` are for `drain`. */
export interface Engine extends Drainable {
  readonly server: Server
}

/**
 * The node:http server listens and keeps its HTTP/1.1 machinery (keep-alive, header timeouts,
 * idle tracking); connections that open with the HTTP/2 preface go to a node:http2 server that
 * never listens. One listener, so both protocols report requests the same way. gu's connection
 * guard admits every connection (both protocols count towards `workerConnections`) and times
 * HTTP/1.1 heads and bodies; an HTTP/2 session is released from it (its idle timeout is `Sessions`').
 */
export function createEngine(worker: WorkerRuntime, guard: ConnectionGuard): Engine {
  const { settings } = worker
  const listener = nodeRequestListener(worker)
  const http1 = createServer(listener)
  http1.keepAliveTimeout = Math.max(1, settings.keepalive * 1000)
  // gu's limits and strict parsing for HTTP/1.1 (HTTP/2 frames its requests itself).
  applyRequestRules(http1, worker)
  // 100 streams per session (RFC 9113's recommended minimum) bounds what one client starts at once.
  const http2 = createHttp2Server({ settings: { maxConcurrentStreams: 100 } }, listener)
  // An h2 session outlives a request as a keep-alive connection does, but needs time for its first.
  const sessions = new Sessions(http2, Math.max(1, settings.keepalive) * 1000)
  const undecided = splitByPreface(http1, http2, (socket) => guard.release(socket))
  // After the split: the guard admits each connection before its protocol is known.
  guard.attach(http1)

  return {
    server: http1,
    stopAccepting() {
      sessions.goingAway()
      // http.Server#close would also cut idle keep-alive connections; net.Server#close only stops
      // accepting, and calls back once every connection (of either protocol) has closed.
      return new Promise((resolve) => NetServer.prototype.close.call(http1, () => resolve()))
    },
    closeIdle() {
      // HTTP/2 sessions need nothing here: the stop closed them all, and each ends after its streams.
      http1.closeIdleConnections()
      undecided.closeAll()
    },
  }
}
