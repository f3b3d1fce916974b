import { beforeEach, describe, expect, it, vi } from 'vitest'

// The activated binds are module state (taken once per process): a fresh module for each test.
let activation: typeof import('./socket-activation.js')
let resolve: typeof import('./resolve.js')
beforeEach(async () => {
  vi.resetModules()
  activation = await import('./socket-activation.js')
  resolve = await import('./resolve.js')
})

describe('takeSocketActivation', () => {
  it('takes LISTEN_FDS meant for this pid as fd:// binds that replace the configured ones', async () => {
    const env: NodeJS.ProcessEnv = { LISTEN_PID: '42', LISTEN_FDS: '2', LISTEN_FDNAMES: 'a:b' }
    expect(activation.takeSocketActivation(env, 42)).toEqual(['fd://3', 'fd://4'])
    expect(env).toEqual({})
    const { settings } = await resolve.resolveSettings(['app:app', '-b', '127.0.0.1:9999'], {})
    expect(settings.bind).toEqual(['fd://3', 'fd://4'])
  })

  it('ignores LISTEN_FDS meant for another pid', () => {
    const env: NodeJS.ProcessEnv = { LISTEN_PID: '1', LISTEN_FDS: '1' }
    expect(activation.takeSocketActivation(env, 42)).toBeUndefined()
    expect(env).toEqual({})
  })

  it('in an arbiter started by USR2 from an activated one, takes the fd:// sockets of GU_FDS instead of the configured binds', async () => {
    const env: NodeJS.ProcessEnv = { GU_FDS: '{"fd://3":3}', GU_PARENT_PID: '7', GU_ACTIVATED: '1' }
    expect(activation.takeSocketActivation(env, 42)).toEqual(['fd://3'])
    // GU_FDS stays for takeInheritedSockets, which adopts the descriptors; GU_ACTIVATED goes.
    expect(env).toEqual({ GU_FDS: '{"fd://3":3}', GU_PARENT_PID: '7' })
    const { settings } = await resolve.resolveSettings(['app:app', '-b', '127.0.0.1:9999'], {})
    expect(settings.bind).toEqual(['fd://3'])
    expect(activation.activatedBinds()).toEqual(['fd://3'])
  })

  it('without GU_ACTIVATED, handed-over sockets do not replace the configured binds', async () => {
    const env: NodeJS.ProcessEnv = { GU_FDS: '{"fd://3":3}', GU_PARENT_PID: '7' }
    expect(activation.takeSocketActivation(env, 42)).toBeUndefined()
    const { settings } = await resolve.resolveSettings(['app:app', '-b', '127.0.0.1:9999'], {})
    expect(settings.bind).toEqual(['127.0.0.1:9999'])
  })
})
