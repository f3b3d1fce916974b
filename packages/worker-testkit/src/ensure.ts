/** Fails the check with `reason` (one line, saying what the class did wrong) unless `condition` holds. */
export function ensure(condition: unknown, reason: string | (() => string)): asserts condition {
  if (!condition) throw new Error(typeof reason === 'function' ? reason() : reason)
}

export function fail(reason: string): never {
  throw new Error(reason)
}

/** A value as it reads in a reason: short, quoted, control characters visible. */
export function show(value: unknown, max = 60): string {
  const text = Buffer.isBuffer(value) ? value.toString('latin1') : typeof value === 'string' ? value : String(value)
  const shown = JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text)
  return Buffer.isBuffer(value) || typeof value === 'string' ? shown : text
}
