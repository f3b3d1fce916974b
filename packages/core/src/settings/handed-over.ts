import { UsageError } from './errors.js'

/** Set by an arbiter starting a new one with USR2: which configured address each descriptor is. */
export const INHERITED_FDS_ENV = 'GU_FDS'

/**
 * The sockets an old arbiter handed over (`GU_FDS`, JSON: `{"127.0.0.1:8000":3}`), as address →
 * descriptor; undefined when there are none. A malformed value is a UsageError.
 */
export function parseHandedOver(text: string | undefined): Map<string, number> | undefined {
  if (!text) return undefined
  let map: unknown
  try {
    map = JSON.parse(text)
  } catch {
    map = undefined
  }
  if (!map || typeof map !== 'object' || Array.isArray(map)) {
    throw new UsageError(`${INHERITED_FDS_ENV} must be a JSON object of address to descriptor, e.g. {"127.0.0.1:8000":3}; got ${text}`)
  }
  const sockets = new Map<string, number>()
  for (const [spec, fd] of Object.entries(map)) {
    if (typeof fd !== 'number' || !Number.isSafeInteger(fd)) throw new UsageError(`${INHERITED_FDS_ENV}: the descriptor for ${spec} must be a whole number`)
    sockets.set(spec, fd)
  }
  return sockets
}
