// Fetch apps on uWS: a Request built from the copied head, its body streamed from onData (paused
// while the app doesn't read), and the Response written corked, with backpressure.
import type { FetchHandler, FetchServer, WorkerRuntime } from '@gu/core'
import { Exchange, failResponse } from './exchange.js'
import { staticBody } from './static-body.js'

/** The exchange of a fetch request, and what its app's Request needs. */
export class FetchExchange extends Exchange {
  readonly abort = new AbortController()
}

/** A request body as a web stream, fed by uWS's onData and paused while the app isn't reading. */
export function requestBody(exchange: Exchange): ReadableStream<Uint8Array> {
  let controller!: ReadableStreamDefaultController<Uint8Array>
  const stream = new ReadableStream<Uint8Array>(
    {
      start: (c) => void (controller = c),
      pull: () => exchange.resumeBody(),
      cancel: () => {
        // The app stopped reading: let the rest of the body flow (and be dropped).
        exchange.resumeBody()
        ended = true
      },
    },
    { highWaterMark: 4 },
  )
  let ended = false
  exchange.res.onData((chunk, isLast) => {
    if (ended) return
    if (chunk.byteLength > 0) {
      controller.enqueue(new Uint8Array(chunk.slice(0)))
      if (!isLast && (controller.desiredSize ?? 1) <= 0) exchange.pauseBody()
    }
    if (isLast) {
      ended = true
      controller.close()
    }
  })
  const onAbort = exchange.onAbort
  exchange.onAbort = () => {
    onAbort?.()
    if (!ended) {
      ended = true
      controller.error(new Error('the client closed the connection before the request body was complete'))
    }
  }
  return stream
}

const NO_BODY = new Set(['GET', 'HEAD'])

/** Serves one request with a fetch handler; the head is copied and the exchange listening for an abort. */
export function serveFetch(worker: WorkerRuntime, fetch: FetchHandler, exchange: FetchExchange, server?: FetchServer): void {
  const { head } = exchange
  exchange.onAbort = () => exchange.abort.abort()
  const init: RequestInit & { duplex?: 'half' } = { method: head.method, headers: pairs(head.raw), signal: exchange.abort.signal }
  if (head.bodyLength !== -1 && head.bodyLength !== 0 && !NO_BODY.has(head.method)) {
    init.body = requestBody(exchange)
    init.duplex = 'half'
  }
  const host = head.host
  let request: Request
  try {
    const scheme = exchange.view.scheme
    request = new Request(host ? `${scheme}://${host}${head.url}` : `${scheme}://localhost${head.url}`, init)
  } catch {
    request = new Request(`http://localhost${head.url.startsWith('/') ? head.url : `/${head.url}`}`, init)
  }
  exchange.native = request
  exchange.view.native = request
  const run = () => {
    let result: Response | undefined | Promise<Response | undefined>
    try {
      result = fetch(request, server)
    } catch (error) {
      return failResponse(exchange, worker, error)
    }
    if (result instanceof Response) return writeResponse(worker, exchange, result)
    Promise.resolve(result).then(
      (response) => writeResponse(worker, exchange, response as Response),
      (error) => (exchange.abort.signal.aborted ? undefined : failResponse(exchange, worker, error)),
    )
  }
  const admitted = exchange.active!.admitted
  if (!admitted) return run()
  admitted.then(run, (error) => failResponse(exchange, worker, error))
}

function pairs(raw: string[]): [string, string][] {
  const list: [string, string][] = new Array(raw.length / 2)
  for (let i = 0, j = 0; i < raw.length; i += 2, j++) list[j] = [raw[i]!, raw[i + 1]!]
  return list
}

function writeResponse(worker: WorkerRuntime, exchange: FetchExchange, response: Response): void {
  if (!(response instanceof Response)) return failResponse(exchange, worker, new TypeError(`the fetch handler returned ${typeof response}, not a Response`))
  if (exchange.done) {
    void response.body?.cancel().catch(() => {})
    return
  }
  const headers = response.headers
  if (worker.needs.responseHeaders) exchange.headerReader = (name) => headers.get(name) ?? undefined
  const whole = staticBody(response)
  if (whole !== undefined || !response.body || exchange.isHead) {
    const reported = exchange.isHead ? reportedLength(headers) : undefined
    if (exchange.isHead && whole === undefined) void response.body?.cancel().catch(() => {})
    exchange.cork(() => {
      exchange.writeHead(response.status, response.statusText, headers)
      exchange.endWhole(whole ?? undefined, reported)
    })
    return
  }
  void streamResponse(worker, exchange, response, response.body)
}

function reportedLength(headers: Headers): number | undefined {
  const length = headers.get('content-length')
  return length !== null && /^\d+$/.test(length) ? Number(length) : undefined
}

async function streamResponse(worker: WorkerRuntime, exchange: FetchExchange, response: Response, body: ReadableStream<Uint8Array>): Promise<void> {
  const reader = body.getReader()
  let headWritten = false
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (exchange.done) break
      if (done) {
        exchange.cork(() => {
          if (!headWritten) exchange.writeHead(response.status, response.statusText, response.headers)
          exchange.endStream()
        })
        return
      }
      let ok = true
      exchange.cork(() => {
        if (!headWritten) exchange.writeHead(response.status, response.statusText, response.headers)
        headWritten = true
        ok = exchange.write(value)
      })
      if (!ok) await exchange.writable()
    }
    await reader.cancel().catch(() => {})
  } catch (error) {
    await reader.cancel(error).catch(() => {})
    if (!exchange.done) failResponse(exchange, worker, error)
  } finally {
    reader.releaseLock()
  }
}
