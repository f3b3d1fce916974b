import { describe, expectTypeOf, it } from 'vitest'
import type { AppInterface, LogLevel, PlainSettings, UserConfig } from './types.js'

// Checked by `tsc --noEmit` (the package's typecheck covers src/**/*.test.ts); at run time a no-op.
describe('PlainSettings, derived from the catalog', () => {
  it('types each setting from its spec', () => {
    expectTypeOf<PlainSettings['workers']>().toEqualTypeOf<number>()
    expectTypeOf<PlainSettings['timeout']>().toEqualTypeOf<number>()
    expectTypeOf<PlainSettings['workerClass']>().toEqualTypeOf<string>()
    expectTypeOf<PlainSettings['preloadApp']>().toEqualTypeOf<boolean>()
    expectTypeOf<PlainSettings['bind']>().toEqualTypeOf<string[]>()
    expectTypeOf<PlainSettings['pidfile']>().toEqualTypeOf<string | null>()
    expectTypeOf<PlainSettings['appInterface']>().toEqualTypeOf<'auto' | 'node' | 'fetch'>()
    expectTypeOf<AppInterface>().toEqualTypeOf<'auto' | 'node' | 'fetch'>()
    expectTypeOf<LogLevel>().toEqualTypeOf<'debug' | 'info' | 'warning' | 'error' | 'critical'>()
  })

  it('has no keys beyond the catalog', () => {
    // @ts-expect-error: not a setting
    expectTypeOf<PlainSettings['notASetting']>().toBeNever()
    expectTypeOf<UserConfig>().not.toHaveProperty('printConfig')
    expectTypeOf<UserConfig>().toHaveProperty('reload')
  })
})
