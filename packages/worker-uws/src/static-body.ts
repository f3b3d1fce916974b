// A Response built from a string or bytes keeps that source beside its stream (undici's body
// state); reading it there saves two stream reads per response. Anything else streams.
const NOT_FOUND = Symbol('not found')
let stateKey: symbol | typeof NOT_FOUND | undefined

interface BodyState {
  body?: { source?: unknown } | null
}

/** The body of a fresh Response made from a string or bytes, or undefined (stream it). */
export function staticBody(response: Response): string | Uint8Array | undefined {
  if (stateKey === NOT_FOUND || response.bodyUsed) return undefined
  stateKey ??= Object.getOwnPropertySymbols(response).find((s) => s.description === 'state') ?? NOT_FOUND
  if (stateKey === NOT_FOUND) return undefined
  const state = (response as unknown as Record<symbol, BodyState | undefined>)[stateKey]
  const source = state?.body?.source
  if (typeof source === 'string' || source instanceof Uint8Array) return source
  return undefined
}
