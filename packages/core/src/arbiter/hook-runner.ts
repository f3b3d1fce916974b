import type { Logger } from '../log/logger.js'
import type { Hooks } from '../settings/types.js'

type HookArgs<K extends keyof Hooks> = Parameters<NonNullable<Hooks[K]>>

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
