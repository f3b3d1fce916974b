import { FetchEnv } from './fetch-env.js'
import type { NodeRequest, NodeResponse } from './fetch-node-types.js'
import { NodeBackedRequest } from './fetch-request.js'
import { NativeResponse, installLightResponse } from './fetch-response.js'
import { writeResponse } from './fetch-write.js'
import type { FetchHandler } from './types.js'

/**
 * Serves a fetch handler on node:http or node:http2 (compatibility API). The Request is built
 * lazily from the node request, the handler gets `{ incoming, outgoing, requestIP }` as its
 * second argument, and a Response with a known body goes out at once with its length.
 */
export function fetchToNodeListener(handler: FetchHandler, onError: (error: unknown, req: NodeRequest) => void): (req: NodeRequest, res: NodeResponse) => void | Promise<void> {
  installLightResponse()
  const fail = (error: unknown, req: NodeRequest, res: NodeResponse) => {
    // The client has gone: nothing to answer, nothing the app did wrong.
    if (!res.writableFinished && (res.destroyed || (res as { closed?: boolean }).closed)) return
    onError(error, req)
    respondWithError(res)
  }
  const send = (response: unknown, request: NodeBackedRequest, req: NodeRequest, res: NodeResponse): void | Promise<void> => {
    if (!(response instanceof NativeResponse)) return fail(new TypeError(`the fetch handler returned ${typeof response}, not a Response`), req, res)
    const written = writeResponse(response, res, req.method === 'HEAD')
    if (!written) return request.discardBody()
    return written.then(
      () => request.discardBody(),
      (error) => fail(error, req, res),
    )
  }
  return (req, res) => {
    const request = new NodeBackedRequest(req, res)
    let result: Response | undefined | Promise<Response | undefined>
    try {
      result = handler(request as unknown as Request, new FetchEnv(req, res))
      if (!(result instanceof Promise)) return send(result, request, req, res)
    } catch (error) {
      return fail(error, req, res)
    }
    return result.then(
      (response) => send(response, request, req, res),
      (error) => fail(error, req, res),
    )
  }
}

/** After an app failed: a 500 if nothing was sent yet, else cut the response (it can't be completed). */
export function respondWithError(res: NodeResponse): void {
  if (!res.headersSent) {
    // HTTP/2 forbids connection-specific headers; its stream ends on its own.
    const http1 = !('stream' in res)
    res.writeHead(500, http1 ? { 'content-type': 'text/plain', connection: 'close' } : { 'content-type': 'text/plain' })
    res.end('Internal Server Error\n')
  } else {
    res.destroy()
  }
}

/** A Request for a node request, built lazily (see NodeBackedRequest). */
export function toRequest(req: NodeRequest, res: NodeResponse): Request {
  return new NodeBackedRequest(req, res) as unknown as Request
}
