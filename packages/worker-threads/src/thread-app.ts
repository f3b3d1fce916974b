import type { IncomingMessage, ServerResponse } from 'node:http'
import { type App, fetchToNodeListener } from '@gu/core'

type Listener = (req: IncomingMessage, res: ServerResponse) => void

/**
 * The app as a listener for the thread's own node:http server: node apps are called as they are,
 * fetch apps through core's adapter (a real Request in, the Response streamed out). An app that
 * throws or rejects gets a 500 (or a cut response if its head was sent), and the thread serves on.
 */
export function appListener(app: App, onError: (error: unknown, req: IncomingMessage) => void): Listener {
  const call = (app.interface === 'node' ? app.listener : fetchToNodeListener(app.fetch, (error, req) => onError(error, req as IncomingMessage))) as (
    req: IncomingMessage,
    res: ServerResponse,
  ) => unknown
  const fail = (req: IncomingMessage, res: ServerResponse, error: unknown) => {
    onError(error, req)
    if (res.headersSent) return void res.destroy()
    res.writeHead(500, { 'content-type': 'text/plain', connection: 'close' })
    res.end('Internal Server Error\n')
  }
  return (req, res) => {
    try {
      const result = call(req, res) as PromiseLike<unknown> | undefined
      if (typeof result?.then === 'function') result.then(undefined, (error) => fail(req, res, error))
    } catch (error) {
      fail(req, res, error)
    }
  }
}
