// The worker contract, types only: what a worker class implements and what it is given.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { App } from '../app/types.js'
import type { Logger } from '../log/logger.js'
import type { BindAddress, Settings } from '../settings/types.js'

/** A worker class: the default export of `@gu/worker-*` or of any module passed to `-k`. */
export interface WorkerClass {
  readonly name: string
  /**
   * `inherit`: serve on the listening sockets the arbiter passes as descriptors (the norm).
   * `self`: bind each address itself with SO_REUSEPORT (for engines that can't adopt a socket).
   */
  readonly sockets: 'inherit' | 'self'
  /**
   * What `timeout` limits. `loop` (the default): a liveness heartbeat, sent while the event loop
   * turns. `request`: the time one request may take, as in Gunicorn's sync worker — heartbeats
   * pause while a request runs, and an overrunning request is named in the log and cut.
   */
  readonly timeout?: TimeoutScope
  /** In the arbiter, before any worker starts: throw to reject settings it can't honour. */
  checkSettings?(settings: Settings): void
  /** In the worker process, after the runtime loaded the app. Resolves once it has stopped serving. */
  run(worker: WorkerRuntime): Promise<void>
}

export type StopMode = 'graceful' | 'quick'
export type TimeoutScope = 'loop' | 'request'

/** A listening socket's libuv handle, for `server.listen(handle)` (see `takeSocketCopy`); opaque. */
export type ListenHandle = object & { readonly __listenHandle?: never }

/** One address to serve: its inherited descriptor (for `inherit` classes) and what it was bound from. */
export interface ListenSocket {
  readonly bind: BindAddress
  /** The inherited listening descriptor; -1 for `self` classes, which bind `bind` themselves. */
  readonly fd: number
}

/** What the runtime gives every worker class: everything but the HTTP engine. */
export interface WorkerRuntime {
  /** This worker's age: 1 for the arbiter's first worker, counting up. */
  readonly age: number
  readonly settings: Settings
  readonly app: App
  readonly sockets: readonly ListenSocket[]
  readonly log: Logger
  /** Aborted when the worker must stop accepting connections; `stopMode` then says how. */
  readonly stopSignal: AbortSignal
  readonly stopMode: StopMode | undefined
  /** Requests begun and not yet finished. */
  readonly inFlight: number
  /**
   * The app as a node:http request listener, with everything around it: pre/post request hooks,
   * the access log, max-requests accounting, fetch adaptation, a 500 for a throwing app, and
   * `Connection: close` on responses begun during a stop or with keep-alive off.
   */
  readonly listener: (req: IncomingMessage, res: ServerResponse) => void
  /** Tell the arbiter this worker is serving. Call once, after every socket listens. */
  ready(): void
  /** Send a liveness heartbeat now (the runtime also sends one on a timer). */
  notify(): void
  /**
   * A fresh descriptor of listening socket `index`, from the arbiter. For engines that must
   * stop accepting while busy: closing a listening descriptor is the only way to stop libuv
   * accepting on it, so such an engine closes its copy when it takes a connection and listens
   * on a new copy when it is free again. Copies are fetched ahead in batches.
   */
  takeSocketCopy(index: number): Promise<ListenHandle>
}
