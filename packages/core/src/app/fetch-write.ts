import type { ServerResponse } from 'node:http'
import { framingOf, nodeFramesBody } from '../http/node-framing.js'
import { headersAsGiven, type OutgoingHeaders, outgoingHeaders } from './fetch-headers.js'
import { type NodeResponse, isHttp2 } from './fetch-node-types.js'
import { LightResponse } from './fetch-response.js'
import { knownLength, staticBody } from './fetch-static-body.js'

const NO_CONTENT = new Set([204, 304])

/**
 * Writes a Response to node:http or node:http2: a body whose length is known goes out whole,
 * with its Content-Length; any other is streamed with backpressure, and cancelled (the app's
 * stream sees `cancel`) when the client goes away. HEAD gets the head only.
 */
export function writeResponse(response: Response, res: NodeResponse, head: boolean): void | Promise<void> {
  const http2 = isHttp2(res)
  const parts = LightResponse.parts(response)
  if (parts) {
    const given = http2 ? undefined : headersAsGiven(parts.headers, parts.defaultType)
    return writeWhole(res, parts.status, parts.statusText, given ?? outgoingHeaders(parts.headers, http2, parts.defaultType), parts.body, head, given !== undefined)
  }
  const headers = outgoingHeaders(response.headers, http2, undefined)
  const whole = response.body ? staticBody(response) : null
  if (whole !== undefined) return writeWhole(res, response.status, response.statusText, headers, whole, head)
  const length = knownLength(response)
  if (length !== undefined) headers['content-length'] = String(length)
  writeHead(res, response.status, response.statusText, headers)
  if (head) {
    // A HEAD response has no body, whatever the app returned: writing one to HTTP/2 would hang.
    void response.body!.cancel().catch(() => {})
    res.end()
    return
  }
  return streamBody(response.body!, res)
}

/** `given`: `headers` is the app's own object, copied before anything is added to it. */
function writeWhole(res: NodeResponse, status: number, statusText: string, headers: OutgoingHeaders, body: string | Uint8Array | null, head: boolean, given = false): void {
  // The real length, whatever the app said; except for a HEAD without a body, where the app's
  // Content-Length (if any) describes the body a GET would get.
  if (body !== null) headers = setLength(res, headers, typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength, given)
  else if (!head && !NO_CONTENT.has(status)) {
    if (given) headers = { ...headers }
    headers['content-length'] = '0'
  }
  writeHead(res, status, statusText, headers)
  if (head || body === null) res.end()
  else (res as ServerResponse).end(body)
}

/**
 * The body's length: handed to node:http, which writes the Content-Length line itself, when it
 * would (an HTTP/1.1 response node frames, no framing header from the app); that spares a header
 * node validates and matches on every response. Else as a header.
 */
function setLength(res: NodeResponse, headers: OutgoingHeaders, length: number, given: boolean): OutgoingHeaders {
  const framing = framingOf(res)
  if (framing._contentLength === null && nodeFramesBody(framing) && headers['transfer-encoding'] === undefined && headers.trailer === undefined) {
    // (The app's own object has no Content-Length: headersAsGiven made sure.)
    if (headers['content-length'] !== undefined) delete headers['content-length']
    framing._contentLength = length
    return headers
  }
  if (given) headers = { ...headers }
  headers['content-length'] = String(length)
  return headers
}

function writeHead(res: NodeResponse, status: number, statusText: string, headers: OutgoingHeaders): void {
  // HTTP/2 has no reason phrase.
  if (statusText && !isHttp2(res)) res.writeHead(status, statusText, headers)
  else (res as ServerResponse).writeHead(status, headers)
}

const gone = (res: NodeResponse) => !res.writableFinished && (res.destroyed || (res as { closed?: boolean }).closed === true)

async function streamBody(body: ReadableStream<Uint8Array>, res: NodeResponse): Promise<void> {
  const reader = body.getReader()
  // The client went away: cancel the app's stream (its cleanup runs) rather than wait on it.
  const onClose = () => {
    if (!res.writableFinished) void reader.cancel(new Error('the client closed the connection')).catch(() => {})
  }
  if (gone(res)) return onClose()
  res.on('close', onClose)
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (gone(res)) return
      if (done) break
      if (!(res as ServerResponse).write(value)) await writable(res)
    }
    res.end()
  } catch (error) {
    if (gone(res)) return
    await reader.cancel(error).catch(() => {})
    throw error
  } finally {
    res.off('close', onClose)
  }
}

/** Resolves on 'drain', or at once if the response is closed (a 'close' that already fired waits for nothing). */
function writable(res: NodeResponse): Promise<void> {
  if (gone(res)) return Promise.resolve()
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done)
      res.off('close', done)
      resolve()
    }
    res.on('drain', done)
    res.on('close', done)
  })
}
