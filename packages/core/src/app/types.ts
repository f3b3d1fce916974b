import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import type { FetchServer } from './fetch-env.js'
import type { WebSocketHandler } from './fetch-websocket-types.js'

export type NodeListener = (req: IncomingMessage, res: ServerResponse) => unknown
/** node:http's `'upgrade'` listener: the request, its raw socket, and the bytes read past its head. */
export type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => unknown
/**
 * A fetch app; its second argument is the server it runs on (see `FetchServer`). After a
 * successful `server.upgrade(request)` whatever it returns is ignored, as on Bun.
 */
export type FetchHandler = (request: Request, server?: FetchServer) => Response | undefined | Promise<Response | undefined>

/** Where a node app's upgrade requests (WebSockets) go. */
export interface NodeUpgrade {
  readonly listener: UpgradeListener
  /**
   * The exported `http.Server` the listener forwards to: upgrades reach the app only while it has
   * `'upgrade'` listeners, Node's own rule (without one, an upgrade request is a plain request).
   */
  readonly server?: Server
}

/** The app's own start and stop (`startup`/`shutdown` exports, Fastify's `close()`). */
export interface AppLifecycle {
  /** Awaited before the worker reports ready. */
  readonly startup?: () => unknown
  /** Awaited on a graceful stop once requests have drained, within `--graceful-timeout`. */
  readonly shutdown?: () => unknown
}

/** A loaded app, in one of the two interfaces gu speaks. */
export type App =
  | ({ readonly interface: 'node'; readonly listener: NodeListener; readonly upgrade?: NodeUpgrade; readonly description: string } & AppLifecycle)
  | ({ readonly interface: 'fetch'; readonly fetch: FetchHandler; readonly websocket?: WebSocketHandler; readonly description: string } & AppLifecycle)

/**
 * Whether the app takes WebSockets now: an `upgrade` export, an exported server (or Fastify's)
 * with an `'upgrade'` listener, or Bun-style `websocket` handlers.
 */
export function takesUpgrades(app: App): boolean {
  if (app.interface === 'fetch') return !!app.websocket
  const upgrade = app.upgrade
  return !!upgrade && (!upgrade.server || upgrade.server.listenerCount('upgrade') > 0)
}

/** The app failed to load (exit code 4 in a worker): the message names the module and export. */
export class AppLoadError extends Error {
  override readonly name = 'AppLoadError'
  /** Survives a structured clone (from a thread), where the class does not. */
  readonly code = APP_LOAD_ERROR_CODE
}

export const APP_LOAD_ERROR_CODE = 'GU_APP_LOAD'

/** An AppLoadError, or one that crossed a thread boundary and kept only its code. */
export function isAppLoadError(error: unknown): error is Error & { code: typeof APP_LOAD_ERROR_CODE } {
  return error instanceof AppLoadError || (error as { code?: unknown } | null)?.code === APP_LOAD_ERROR_CODE
}
