import type { Server } from 'node:http'
import { Server as NetServer } from 'node:net'
import type { WorkerRuntime } from '../worker/types.js'

const POLL_MS = 50

/**
 * Stops accepting new connections while in-flight requests finish (the runtime has marked them
 * to end their connections). Idle keep-alive connections are left to reach their keep-alive
 * timeout rather than cut, since a client may be sending on one right now; once nothing is in
 * flight and that timeout has passed, what's left is closed.
 */
export function drainServers(servers: Server[], runtime: WorkerRuntime): Promise<void> {
  // http.Server#close would also cut idle keep-alive connections; net.Server#close only stops accepting.
  const closed = servers.map((server) => new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve())))
  const idleAfter = Date.now() + runtime.settings.keepalive * 1000
  const sweeper = setInterval(() => {
    if (runtime.inFlight === 0 && Date.now() >= idleAfter) for (const server of servers) server.closeIdleConnections()
  }, POLL_MS)
  return Promise.all(closed).then(() => clearInterval(sweeper))
}

/** Resolves when the runtime asks the worker to stop. */
export function stopRequested(runtime: WorkerRuntime): Promise<void> {
  const signal = runtime.stopSignal
  if (signal.aborted) return Promise.resolve()
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
}
