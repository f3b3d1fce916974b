import type { Logger } from '../log/logger.js'
import type { Hooks } from '../settings/types.js'

type HookArgs<K extends keyof Hooks> = Parameters<NonNullable<Hooks[K]>>

/** The synchronous twin of `runHook`, for hooks that must finish before what follows (exit, abort). */
export function runHookSync<K extends keyof Hooks>(hooks: Hooks, log: Logger, name: K, ...args: HookArgs<K>): void {
  const hook = hooks[name] as ((...a: HookArgs<K>) => unknown) | undefined
  if (!hook) return
  try {
    hook(...args)
  } catch (error) {
    log.error(`${name} hook failed`, error)
  }
}

/** Runs a hook if the config defines it; a hook that throws is logged, never fatal. */
export async function runHook<K extends keyof Hooks>(hooks: Hooks, log: Logger, name: K, ...args: HookArgs<K>): Promise<void> {
  const hook = hooks[name] as ((...a: HookArgs<K>) => unknown) | undefined
  if (!hook) return
  try {
    await hook(...args)
  } catch (error) {
    log.error(`${name} hook failed`, error)
  }
}

/**
 * Runs a hook and waits for it, but no longer than `limitMs` (what follows — an exit — can't wait
 * for ever): a hook still running then is named in a warning and left behind.
 */
export async function runHookWithin<K extends keyof Hooks>(hooks: Hooks, log: Logger, name: K, limitMs: number, ...args: HookArgs<K>): Promise<void> {
  if (!hooks[name]) return
  let timer: NodeJS.Timeout | undefined
  const overrun = new Promise<'overrun'>((resolve) => {
    timer = setTimeout(() => resolve('overrun'), limitMs)
  })
  const outcome = await Promise.race([runHook(hooks, log, name, ...args), overrun])
  clearTimeout(timer)
  if (outcome === 'overrun') log.warning(`${name} hook did not finish within ${(limitMs / 1000).toFixed(1)}s; going on without it`)
}
