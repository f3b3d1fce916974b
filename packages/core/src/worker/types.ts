// The worker contract, types only: what a worker class implements and what it is given.
// docs/worker-contract.md embeds this file; `pnpm docs:contract` refreshes it.
import type { App } from '../app/types.js'
import type { Logger } from '../log/logger.js'
import type { BindAddress, Settings } from '../settings/types.js'

/** A worker class: the default export of `@gu/worker-*` or of any module passed to `-k`. */
export interface WorkerClass {
  /** The contract version the class was written for: `CONTRACT_VERSION` from `@gu/core`. */
  readonly contract: number
  readonly name: string
  /**
   * `inherit`: serve on the listening sockets the arbiter passes as descriptors (the norm).
   * `self`: bind each address itself (SO_REUSEPORT), for engines that can't adopt a socket.
   * The arbiter then binds nothing and refuses `fd://` and socket-activated addresses.
   */
  readonly sockets: 'inherit' | 'self'
  /**
   * What `timeout` limits. `loop` (the default): a liveness heartbeat, sent while the event loop
   * turns. `request`: the time one request may take, as in Gunicorn's sync worker: heartbeats
   * pause while a request runs, and an overrunning request is named in the log and cut.
   * `thread`: heartbeats as for `loop`, and the class itself cuts a request that runs past
   * `timeout` in the thread running it (503/504), while the process lives.
   */
  readonly timeout?: TimeoutScope
  /**
   * `true`: the class loads the app where it runs it (in threads it starts) with `loadApp`
   * from `@gu/core` and `worker.appSource`; the runtime then loads nothing and `worker.app` is
   * undefined. Rejecting from `run` with an `AppLoadError` (or `code: 'GU_APP_LOAD'`) exits 4.
   */
  readonly loadsApp?: boolean
  /**
   * `true`: the class holds WebSockets (upgraded connections) for apps that take them, node and
   * fetch, reporting each with `beginUpgrade`; the testkit then runs its `websocket` group on it.
   * `'fetch'`: only a fetch app's Bun-style `websocket` handlers (an engine with no raw sockets to
   * hand a node app, like uWS). Absent or false: the class refuses upgrades in a way the user can
   * read (a 501, or a refusal at start).
   */
  readonly websockets?: boolean | 'fetch'
  /**
   * `true`: the class serves HTTPS when `certfile` is set, with `WorkerRuntime.tls` (node:http
   * servers get it from `applyRequestRules`); the testkit then runs its `tls` group on it.
   * Absent or false: the arbiter refuses to start with `certfile`, in one line.
   */
  readonly tls?: boolean
  /**
   * In the arbiter, before any worker starts (and on HUP): throw an Error whose message says
   * what to change, to refuse settings the class can't honour. `addresses` are the parsed binds.
   */
  checkSettings?(settings: Settings, addresses: readonly BindAddress[]): void
  /** In the worker process, after the runtime loaded the app. Resolves once it has stopped serving. */
  run(worker: WorkerRuntime): Promise<void>
}

export type StopMode = 'graceful' | 'quick'
export type TimeoutScope = 'loop' | 'request' | 'thread'

/** A listening socket's libuv handle, for `listenOnHandle` (see `takeSocketCopy`); opaque. */
export type ListenHandle = object & { readonly __listenHandle?: never }

/** One address to serve: its inherited descriptor (for `inherit` classes) and what it was bound from. */
export interface ListenSocket {
  readonly bind: BindAddress
  /** The inherited listening descriptor; -1 for `self` classes, which bind `bind` themselves. */
  readonly fd: number
}

/** PEM text read from `certfile`, `keyfile` and `caCerts`; the other TLS settings are in `settings`. */
export interface TlsMaterial {
  readonly cert: string
  readonly key: string
  /** Undefined without `caCerts`. */
  readonly ca?: string
}

/** Where the app comes from, for classes that load it themselves (`loadsApp`). */
export interface AppSource {
  /** `APP_MODULE`, as given. */
  readonly module: string
  /** The directory it resolves from (`--chdir`). */
  readonly dir: string
  readonly interface: Settings['appInterface']
}

/** What the runtime gives every worker class: everything but the HTTP engine. */
export interface WorkerRuntime {
  /** This worker's age: 1 for the arbiter's first worker, counting up. */
  readonly age: number
  readonly settings: Settings
  /** The loaded app; undefined for classes that load it themselves (`loadsApp`). */
  readonly app: App | undefined
  readonly appSource: AppSource
  readonly sockets: readonly ListenSocket[]
  /**
   * With `certfile` set (and only for classes that declare `tls`): the certificate, key and CA
   * certificates as the arbiter read and checked them (at start, or at the HUP that started this
   * worker). Serve these bytes, not the files, which may have changed since.
   */
  readonly tls?: TlsMaterial
  readonly log: Logger
  /** Aborted when the worker must stop accepting connections; `stopMode` then says how. */
  readonly stopSignal: AbortSignal
  readonly stopMode: StopMode | undefined
  /** Requests begun and not yet ended. */
  readonly inFlight: number
  /** Upgraded connections (WebSockets) begun and not yet ended; `drain` waits for them too. */
  readonly upgraded: number
  /**
   * What `ActiveRequest.end` must report; an engine may skip measuring what nothing reads.
   * `remoteAddress`: the request's `remoteAddress` is read once its response is done (access log,
   * postRequest hook), so an engine that reads the peer lazily must keep it by then.
   */
  readonly needs: { readonly responseBytes: boolean; readonly responseHeaders: boolean; readonly remoteAddress: boolean }
  /**
   * Report a request as it begins (every engine, every request). The runtime runs the
   * `preRequest` hook, counts it in flight and towards max-requests, and times it for the log.
   * `mustClose` is called if, while the response is still to be written, the connection must
   * end after it (a stop began), with the view it was given: send `Connection: close` or GOAWAY.
   */
  beginRequest(request: RequestView, mustClose?: (request: RequestView) => void): ActiveRequest
  /**
   * Report a connection taken over by an upgrade (a WebSocket) as its handshake arrives. It is not
   * a request in flight: a graceful stop first drains requests, then calls `goAway` on each such
   * connection (close it with 1001 Going Away); connections left at `--graceful-timeout` are cut.
   * The `preRequest`/`postRequest` hooks don't run for it.
   */
  beginUpgrade(request: RequestView, goAway: () => void): ActiveUpgrade
  /** Tell the arbiter this worker is serving. Call once, after every socket listens. */
  ready(): void
  /** Send a liveness heartbeat now (the runtime also sends one on a timer). */
  notify(): void
  /**
   * A fresh descriptor of listening socket `index`, from the arbiter, for engines that must stop
   * accepting while busy (`@gu/worker-sync`): closing a listening descriptor is the only way to
   * stop libuv accepting on it, so such an engine closes its copy when it takes a connection and
   * listens on a new copy when it is free again. Copies are fetched ahead in batches.
   */
  takeSocketCopy(index: number): Promise<ListenHandle>
  /**
   * `--reload`, for a class that loads the app where it runs it (`loadsApp`): files (absolute
   * paths) the app loaded there, for the arbiter to watch beside the ones loaded in the worker's
   * main thread. Collect them with `LoadedFiles` where the app loads.
   */
  reportLoadedFiles(files: readonly string[]): void
  /**
   * `--metrics-bind`, for a class that loads the app where it runs it: how to read the app's
   * prom-client metrics there on a scrape (`getMetricsAsJSON()` lists, concatenated: the arbiter
   * sums equal names and labels). Read them with `appMetricsReader`.
   */
  provideAppMetrics(read: () => Promise<unknown[]>): void
}

/** One request between `beginRequest` and `end`. */
export interface ActiveRequest {
  /**
   * Resolves once the `preRequest` hook has run: call the app after it. Rejects if the hook
   * threw; answer 500. Undefined when there is no hook (call the app at once).
   */
  readonly admitted: Promise<void> | undefined
  /**
   * Whether the connection must end after this response: a stop is under way, keep-alive is
   * off, or this request is the worker's last before max-requests. Read it as the response head
   * is written; it only ever turns from false to true.
   */
  readonly closeConnection: boolean
  /** Report the end once: the last byte is written, or the client went away (`aborted`). */
  end(response: ResponseView): void
}

/** One upgraded connection between `beginUpgrade` and `end`. */
export interface ActiveUpgrade {
  /**
   * Report its close once: the access log gets one line with the handshake's status (101, or the
   * refusal the app answered), the bytes sent after the handshake and the connection's duration.
   */
  end(response: ResponseView): void
}

/**
 * A request as every engine reports it and as the `preRequest`/`postRequest` hooks see it, on
 * every HTTP version. Names follow node:http's `IncomingMessage`.
 */
export interface RequestView {
  readonly method: string
  /** The request target as received: path and query (HTTP/2's `:path`). */
  readonly url: string
  /** `1.0`, `1.1`, `2.0`. */
  readonly httpVersion: string
  /** Lower-case names, no HTTP/2 pseudo-headers; `host` is HTTP/2's `:authority`. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  /** The client's address (the peer of the connection); undefined once it has gone. */
  readonly remoteAddress: string | undefined
  readonly scheme: 'http' | 'https'
  /** The engine's own request object (node:http: the `IncomingMessage`), for hooks that need it. */
  readonly native?: unknown
}

/** How a response ended, as the access log and the `postRequest` hook see it. */
export interface ResponseView {
  readonly statusCode: number
  /** Body bytes sent, counted once (not the head); 0 when `needs.responseBytes` is false. */
  readonly bytes: number
  /** A response header by any casing of its name; may be undefined when `needs.responseHeaders` is false. */
  getHeader(name: string): string | string[] | number | undefined
  /** The client went away before the response was complete. */
  readonly aborted: boolean
  /** The engine's own response object (node:http: the `ServerResponse`). */
  readonly native?: unknown
}
