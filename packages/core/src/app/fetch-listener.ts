import type { IncomingMessage, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import type { FetchHandler, NodeListener } from './types.js'

const NO_BODY = new Set(['GET', 'HEAD'])

/** Serves a fetch handler on node:http: builds a Request, streams the Response back with backpressure. */
export function fetchToNodeListener(handler: FetchHandler, onError: (error: unknown, req: IncomingMessage) => void): NodeListener {
  return async (req, res) => {
    const abort = new AbortController()
    res.once('close', () => {
      if (!res.writableFinished) abort.abort()
    })
    try {
      const response = await handler(toRequest(req, abort.signal))
      if (!(response instanceof Response)) throw new TypeError(`the fetch handler returned ${typeof response}, not a Response`)
      await writeResponse(response, res)
    } catch (error) {
      if (abort.signal.aborted) return
      onError(error, req)
      respondWithError(res)
    }
  }
}

/** After an app failed: a 500 if nothing was sent yet, else cut the response (it can't be completed). */
export function respondWithError(res: ServerResponse): void {
  if (!res.headersSent) {
    res.writeHead(500, { 'content-type': 'text/plain', connection: 'close' }).end('Internal Server Error\n')
  } else {
    res.destroy()
  }
}

export function toRequest(req: IncomingMessage, signal: AbortSignal): Request {
  const headers = new Headers()
  const raw = req.rawHeaders
  for (let i = 0; i < raw.length; i += 2) {
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

function requestUrl(req: IncomingMessage): string {
  const host = req.headers.host ?? 'localhost'
  try {
    return new URL(req.url ?? '/', `http://${host}`).href
  } catch {
    return new URL(req.url ?? '/', 'http://localhost').href
  }
}

async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
  res.statusCode = response.status
  if (response.statusText) res.statusMessage = response.statusText
  for (const [name, value] of response.headers) {
    if (name !== 'set-cookie') res.setHeader(name, value)
  }
  const cookies = response.headers.getSetCookie()
  if (cookies.length) res.setHeader('set-cookie', cookies)
  if (!response.body) {
    res.end()
    return
  }
  const reader = response.body.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      if (!res.write(value)) await drained(res)
    }
    res.end()
  } catch (error) {
    await reader.cancel(error).catch(() => {})
    throw error
  } finally {
    reader.releaseLock()
  }
}

function drained(res: ServerResponse): Promise<void> {
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
