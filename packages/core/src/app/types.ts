import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FetchServer } from './fetch-env.js'

export type NodeListener = (req: IncomingMessage, res: ServerResponse) => unknown
/** A fetch app; its second argument is the server it runs on (see `FetchServer`). */
export type FetchHandler = (request: Request, server?: FetchServer) => Response | Promise<Response>

/** A loaded app, in one of the two interfaces gu speaks. */
export type App =
  | { readonly interface: 'node'; readonly listener: NodeListener; readonly description: string }
  | { readonly interface: 'fetch'; readonly fetch: FetchHandler; readonly description: string }

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
