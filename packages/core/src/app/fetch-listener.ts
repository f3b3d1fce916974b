import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2'
import { Readable } from 'node:stream'
import type { FetchHandler } from './types.js'

type NodeRequest = IncomingMessage | Http2ServerRequest
type NodeResponse = ServerResponse | Http2ServerResponse

const NO_BODY = new Set(['GET', 'HEAD'])
const HTTP1_ONLY = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade'])

/**
 * Serves a fetch handler on node:http or node:http2 (compatibility API): builds a Request, streams
 * the Response back with backpressure.
 */
export function fetchToNodeListener(handler: FetchHandler, onError: (error: unknown, req: NodeRequest) => void): (req: NodeRequest, res: NodeResponse) => Promise<void> {
  return async (req, res) => {
    const abort = new AbortController()
    res.once('close', () => {
      if (!res.writableFinished) abort.abort()
    })
    try {
      const response = await handler(toRequest(req, abort.signal))
      if (!(response instanceof Response)) throw new TypeError(`the fetch handler returned ${typeof response}, not a Response`)
      await writeResponse(response, res, req.method === 'HEAD')
    } catch (error) {
      if (abort.signal.aborted) return
      onError(error, req)
      respondWithError(res)
    }
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

export function toRequest(req: NodeRequest, signal: AbortSignal): Request {
  const headers = new Headers()
  const raw = req.rawHeaders
  for (let i = 0; i < raw.length; i += 2) {
    // HTTP/2's pseudo-headers (:method, :path …) are the request line, not headers.
    if (raw[i]![0] === ':') continue
    try {
      headers.append(raw[i]!, raw[i + 1]!)
    } catch {
      // A header value the Fetch spec forbids is dropped rather than failing the request.
    }
  }
  const method = req.method ?? 'GET'
  const init: RequestInit & { duplex?: 'half' } = { method, headers, signal }
  if (!NO_BODY.has(method)) {
    init.body = Readable.toWeb(req) as ReadableStream<Uint8Array>
    init.duplex = 'half'
  }
  return new Request(requestUrl(req), init)
}

function requestUrl(req: NodeRequest): string {
  // HTTP/2 carries the host as :authority.
  const host = req.headers.host ?? (req.headers[':authority'] as string | undefined) ?? 'localhost'
  const scheme = req.headers[':scheme'] === 'https' || (req.socket as { encrypted?: boolean } | undefined)?.encrypted ? 'https' : 'http'
  try {
    return new URL(req.url ?? '/', `${scheme}://${host}`).href
  } catch {
    return new URL(req.url ?? '/', 'http://localhost').href
  }
}

async function writeResponse(response: Response, res: NodeResponse, head: boolean): Promise<void> {
  res.statusCode = response.status
  const http2 = 'stream' in res
  // HTTP/2 has no reason phrase and forbids connection-specific headers.
  if (response.statusText && !http2) res.statusMessage = response.statusText
  for (const [name, value] of response.headers) {
    if (name !== 'set-cookie' && !(http2 && HTTP1_ONLY.has(name))) res.setHeader(name, value)
  }
  const cookies = response.headers.getSetCookie()
  if (cookies.length) res.setHeader('set-cookie', cookies)
  if (!response.body || head) {
    // A HEAD response has no body, whatever the app returned: writing one to HTTP/2 would hang.
    if (response.body) await response.body.cancel().catch(() => {})
    res.end()
    return
  }
  const reader = response.body.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      if (!(res as ServerResponse).write(value)) await drained(res)
    }
    res.end()
  } catch (error) {
    await reader.cancel(error).catch(() => {})
    throw error
  } finally {
    reader.releaseLock()
  }
}

function drained(res: NodeResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      res.off('drain', onDrain)
      res.off('close', onClose)
    }
    const onDrain = () => (cleanup(), resolve())
    const onClose = () => (cleanup(), reject(new Error('client closed the connection')))
    res.once('drain', onDrain)
    res.once('close', onClose)
  })
}
