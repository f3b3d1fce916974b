import type { Server } from 'node:http'
import { Server as NetServer } from 'node:net'
import type { WorkerRuntime } from '../worker/types.js'

const POLL_MS = 50

/** What a graceful stop needs of any engine. */
export interface Drainable {
  /** Stop taking connections; resolves once every connection the engine holds has closed. */
  stopAccepting(): Promise<void>
  /** Close the connections that are idle between requests (keep-alive, or HTTP/2 sessions with no stream). */
  closeIdle(): void
}

/**
 * A graceful stop for any engine: stop accepting while in-flight requests finish (the runtime
 * has told each to end its connection). Idle keep-alive connections are left to reach their
 * keep-alive timeout rather than cut, since a client may be sending on one right now; once
 * nothing is in flight and that timeout has passed, what's left is closed. Open WebSockets are
 * closed by the runtime (1001) once nothing is in flight; it resolves once they have gone too.
 */
export function drain(worker: WorkerRuntime, engine: Drainable): Promise<void> {
  const idleAfter = Date.now() + worker.settings.keepalive * 1000
  const sweeper = setInterval(() => {
    if (worker.inFlight !== 0 || Date.now() < idleAfter) return
    try {
      engine.closeIdle()
    } catch (error) {
      // Said once, not on every tick: the stop then waits for --graceful-timeout.
      clearInterval(sweeper)
      worker.log.error("The engine's closeIdle() threw during a graceful stop; idle connections stay open", error)
    }
  }, POLL_MS)
  return engine
    .stopAccepting()
    .then(() => upgradesClosed(worker))
    .finally(() => clearInterval(sweeper))
}

/** The runtime closes WebSockets (1001) once requests have drained; engines may not count them as connections. */
function upgradesClosed(worker: WorkerRuntime): Promise<void> | void {
  if (worker.upgraded === 0) return
  return new Promise((resolve) => {
    const poll = setInterval(() => {
      if (worker.upgraded !== 0) return
      clearInterval(poll)
      resolve()
    }, POLL_MS)
  })
}

/** `drain` for node:http servers. */
export function drainServers(servers: Server[], worker: WorkerRuntime): Promise<void> {
  return drain(worker, {
    // http.Server#close would also cut idle keep-alive connections; net.Server#close only stops accepting.
    stopAccepting: () => Promise.all(servers.map((server) => new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve())))).then(() => {}),
    closeIdle: () => {
      for (const server of servers) server.closeIdleConnections()
    },
  })
}

/** Resolves when the runtime asks the worker to stop. */
export function stopRequested(worker: WorkerRuntime): Promise<void> {
  const signal = worker.stopSignal
  if (signal.aborted) return Promise.resolve()
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
}
