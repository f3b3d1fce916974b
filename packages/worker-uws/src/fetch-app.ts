// Fetch apps on uWS: a Request built from the copied head, its body streamed from onData (paused
// while the app doesn't read), and the Response written corked, with backpressure.
import { type FetchHandler, type FetchServer, LightResponse, outgoingHeaders, staticBody, type WorkerRuntime } from '@gu/core'
import { Exchange, failResponse } from './exchange.js'
import { UwsRequest } from './uws-request.js'

/** The exchange of a fetch request, and the abort signal its app's Request may ask for. */
export class FetchExchange extends Exchange {
  #abort: AbortController | undefined

  /** Made on first use (a Request with a signal costs more on Node 20); aborted if the client already left. */
  abortController(): AbortController {
    const abort = (this.#abort ??= new AbortController())
    if (this.aborted && !abort.signal.aborted) abort.abort()
    return abort
  }
  override clientLeft(): void {
    this.#abort?.abort()
  }
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
    exchange.received(chunk.byteLength, isLast)
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
  // uWS hands body chunks only to an onData set before this callback returns.
  const body = head.bodyLength !== -1 && head.bodyLength !== 0 && !NO_BODY.has(head.method) ? requestBody(exchange) : undefined
  const request = new UwsRequest(exchange, body) as unknown as Request
  exchange.native = request
  exchange.view.native = request
  const admitted = exchange.active!.admitted
  if (!admitted) return runFetch(worker, fetch, exchange, request, server)
  admitted.then(
    () => runFetch(worker, fetch, exchange, request, server),
    (error) => failResponse(exchange, worker, error),
  )
}

function runFetch(worker: WorkerRuntime, fetch: FetchHandler, exchange: FetchExchange, request: Request, server: FetchServer | undefined): void {
  let result: Response | undefined | Promise<Response | undefined>
  try {
    result = fetch(request, server)
  } catch (error) {
    return failResponse(exchange, worker, error)
  }
  if (!(result instanceof Promise)) return writeResponse(worker, exchange, result as Response)
  result.then(
    (response) => writeResponse(worker, exchange, response as Response),
    // Done already: the client left, or its body was too slow (408); the app's failure is that.
    (error) => (exchange.done ? undefined : failResponse(exchange, worker, error)),
  )
}

function writeResponse(worker: WorkerRuntime, exchange: FetchExchange, response: Response): void {
  if (!(response instanceof Response)) return failResponse(exchange, worker, new TypeError(`the fetch handler returned ${typeof response}, not a Response`))
  if (exchange.done) {
    void response.body?.cancel().catch(() => {})
    return
  }
  const parts = LightResponse.parts(response)
  if (parts) {
    // A Response from a string or bytes, never materialized: straight to uWS.
    if (worker.needs.responseHeaders) exchange.headerReader = (name) => response.headers.get(name) ?? undefined
    const reported = exchange.isHead && parts.body === null ? reportedLength(response.headers) : undefined
    exchange.respondWhole(parts.status, parts.statusText, outgoingHeaders(parts.headers, false, parts.defaultType), parts.body ?? undefined, reported)
    return
  }
  const headers = response.headers
  if (worker.needs.responseHeaders) exchange.headerReader = (name) => headers.get(name) ?? undefined
  const whole = response.body ? staticBody(response) : undefined
  if (whole !== undefined || !response.body || exchange.isHead) {
    const reported = exchange.isHead ? reportedLength(headers) : undefined
    if (exchange.isHead && whole === undefined) void response.body?.cancel().catch(() => {})
    exchange.respondWhole(response.status, response.statusText, headers, whole ?? undefined, reported)
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
