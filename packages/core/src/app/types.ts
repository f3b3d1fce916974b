import type { IncomingMessage, ServerResponse } from 'node:http'

export type NodeListener = (req: IncomingMessage, res: ServerResponse) => unknown
export type FetchHandler = (request: Request) => Response | Promise<Response>

/** A loaded app, in one of the two interfaces gu speaks. */
export type App =
  | { readonly interface: 'node'; readonly listener: NodeListener; readonly description: string }
  | { readonly interface: 'fetch'; readonly fetch: FetchHandler; readonly description: string }

/** The app failed to load (exit code 4 in a worker): the message names the module and export. */
export class AppLoadError extends Error {
  override readonly name = 'AppLoadError'
}
