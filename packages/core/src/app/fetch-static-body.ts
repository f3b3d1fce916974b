// undici keeps a Response body's source (the string or bytes it was made from) and its length
// beside the stream, in the response's `state` symbol. Reading them there lets the adapter write
// a whole body at once with its Content-Length. Not found (another Node): stream, chunked.
import { NativeResponse } from './fetch-response.js'

const NOT_FOUND = Symbol('not found')
let stateKey: symbol | typeof NOT_FOUND | undefined

interface BodyState {
  body?: { source?: unknown; length?: unknown; stream?: ReadableStream } | null
}

function state(response: Response): BodyState | undefined {
  stateKey ??= Object.getOwnPropertySymbols(new NativeResponse()).find((s) => s.description === 'state') ?? NOT_FOUND
  if (stateKey === NOT_FOUND) return undefined
  return (response as unknown as Record<symbol, BodyState | undefined>)[stateKey]
}

/** The body of a native Response made from a string or bytes and not read yet, or undefined. */
export function staticBody(response: Response): string | Uint8Array | undefined {
  if (response.bodyUsed) return undefined
  const body = state(response)?.body
  // A stream someone already took a reader of is no longer the source's to give.
  if (!body || body.stream?.locked) return undefined
  const source = body.source
  return typeof source === 'string' || source instanceof Uint8Array ? source : undefined
}

/** The body's length when undici knows it (a Blob, a form, URLSearchParams …), else undefined. */
export function knownLength(response: Response): number | undefined {
  const length = state(response)?.body?.length
  return typeof length === 'number' && length >= 0 ? length : undefined
}
