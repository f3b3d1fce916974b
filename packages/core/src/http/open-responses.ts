import type { ServerResponse } from 'node:http'

/**
 * The responses a node:http engine is still writing, so a stop can mark the ones whose headers
 * are not out yet to end their connection (`Connection: close`) instead of keeping it alive.
 */
export class OpenResponses {
  readonly #open = new Set<ServerResponse>()

  add(res: ServerResponse): void {
    this.#open.add(res)
    res.once('close', () => this.#open.delete(res))
  }

  /** From now on, each open response closes its connection when it ends. */
  closeConnectionsAfterResponse(): void {
    for (const res of this.#open) if (!res.headersSent) res.shouldKeepAlive = false
  }
}
