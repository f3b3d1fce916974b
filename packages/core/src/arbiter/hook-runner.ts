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
