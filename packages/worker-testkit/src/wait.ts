// Bounded waiting: every wait in the kit ends, with a reason when it ends badly.

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Polls `check` until it returns a truthy value; undefined once `timeoutMs` has passed. */
export async function pollUntil<T>(check: () => T | Promise<T>, timeoutMs: number, everyMs = 50): Promise<NonNullable<Awaited<T>> | undefined> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value as NonNullable<Awaited<T>>
    if (Date.now() >= deadline) return undefined
    await sleep(everyMs)
  }
}

/** `promise`'s value, or undefined if it has not settled within `ms` (a rejection still rejects). */
export async function within<T>(ms: number, promise: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))
  try {
    return await Promise.race([promise, late])
  } finally {
    clearTimeout(timer)
  }
}

export type Settled<T> = { ok: true; value: T; at: number } | { ok: false; error: Error; at: number }

/**
 * Runs `promise` to completion without ever rejecting, noting when it settled: for requests a
 * check starts and reads later, so a failure in between never leaves a rejection unhandled.
 */
export function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true as const, value, at: Date.now() }),
    (error: unknown) => ({ ok: false as const, error: error instanceof Error ? error : new Error(String(error)), at: Date.now() }),
  )
}

/** A short name for how something failed: the error code when there is one. */
export function describeError(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code
  return code && !error.message.includes(code) ? `${code} (${error.message})` : error.message
}
