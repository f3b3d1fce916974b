import type { NodeRequest } from './fetch-node-types.js'

const CHUNKS_AHEAD = 16

/**
 * A request body as a web stream, pulled from the node stream with backpressure. The adapter
 * calls `discard` once the response is done: an unread rest is then drained and dropped, so the
 * connection can carry its next request (a paused, half-read body would hold it forever).
 */
export function requestBody(req: NodeRequest): { stream: ReadableStream<Uint8Array>; discard: () => void } {
  let done = false
  const stop = () => {
    done = true
    req.off('data', onData).off('end', onEnd).off('error', onError)
  }
  let controller!: ReadableStreamDefaultController<Uint8Array>
  const onData = (chunk: Buffer) => {
    controller.enqueue(chunk)
    if ((controller.desiredSize ?? 1) <= 0) req.pause()
  }
  const onEnd = () => (stop(), controller.close())
  const onError = (error: Error) => (stop(), controller.error(error))
  const stream = new ReadableStream<Uint8Array>(
    {
      start: (c) => {
        controller = c
        req.on('data', onData).on('end', onEnd).on('error', onError)
      },
      pull: () => void req.resume(),
      cancel: () => {
        stop()
        if (!req.readableEnded && !req.destroyed) req.resume()
      },
    },
    { highWaterMark: CHUNKS_AHEAD },
  )
  const discard = () => {
    if (done) return
    stop()
    // A read still waiting would wait forever: it fails instead.
    try {
      controller.error(new Error('the response was sent before the request body was read'))
    } catch {}
    if (!req.readableEnded && !req.destroyed) req.resume()
  }
  return { stream, discard }
}
