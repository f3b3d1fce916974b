import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readClassInfo, resolveClassFile } from './resolve-class.js'
import { selectChecks } from './run-testkit.js'
import type { ClassInfo } from './types.js'

const PACKAGE_DIR = resolve(import.meta.dirname, '..')
const info = (timeoutScope: ClassInfo['timeoutScope'], websockets = false, tls = false): ClassInfo => ({ file: '/x.mjs', name: 'x', sockets: 'inherit', timeoutScope, websockets, tls })

describe('selectChecks', () => {
  it('checks HTTPS on classes that declare tls, and the refusal on those that do not', () => {
    const kinds = (tls: boolean) => new Set(selectChecks(info('loop', false, tls), ['tls']).map((c) => c.tls))
    expect(kinds(true)).toEqual(new Set(['serves']))
    expect(kinds(false)).toEqual(new Set(['refuses']))
  })

  it('runs the timeout checks of the declared scope only', () => {
    const names = (scope: ClassInfo['timeoutScope']) => selectChecks(info(scope), ['timeout']).map((c) => c.name)
    expect(names('loop').every((n) => n.startsWith('loop scope'))).toBe(true)
    expect(names('request').every((n) => n.startsWith('request scope'))).toBe(true)
    expect(names('thread').every((n) => n.startsWith('thread scope'))).toBe(true)
    expect(names('loop').length).toBeGreaterThan(0)
  })

  it('runs a check scoped to several timeout scopes for each of them only (shedding: not for one-at-a-time classes)', () => {
    const shedding = (scope: ClassInfo['timeoutScope']) => selectChecks(info(scope), ['slow-clients']).some((c) => /worker-connections/.test(c.name))
    expect([shedding('loop'), shedding('thread'), shedding('request')]).toEqual([true, true, false])
    expect(selectChecks(info('request'), ['slow-clients']).length).toBe(3)
  })

  it('runs the websocket group only for classes that declare websockets', () => {
    expect(selectChecks(info('loop'), ['websocket'])).toEqual([])
    expect(selectChecks(info('loop', true), ['websocket']).length).toBeGreaterThan(0)
  })

  it('keeps to the groups asked for, and refuses unknown ones', () => {
    expect(new Set(selectChecks(info('loop'), ['boot', 'http']).map((c) => c.group))).toEqual(new Set(['boot', 'http']))
    expect(() => selectChecks(info('loop'), ['boot', 'nope'])).toThrow(/unknown group nope/)
  })
})

describe('the class under test', () => {
  it('resolves relative and absolute paths from the given directory', () => {
    const file = join(PACKAGE_DIR, 'test', 'fixtures', 'never-ready.mjs')
    expect(resolveClassFile('./test/fixtures/never-ready.mjs', PACKAGE_DIR)).toBe(file)
    expect(resolveClassFile(file, '/')).toBe(file)
    expect(() => resolveClassFile('./missing.mjs', PACKAGE_DIR)).toThrow(/not found/)
  })

  it('resolves a package name from the given directory', () => {
    expect(resolveClassFile('@gu/core', PACKAGE_DIR)).toMatch(/core[/\\]dist[/\\]index\.js$/)
  })

  it('reads the declared timeout scope, loop by default', async () => {
    const found = await readClassInfo(join(PACKAGE_DIR, 'test', 'fixtures', 'never-ready.mjs'))
    expect(found).toMatchObject({ name: 'never-ready', sockets: 'inherit', timeoutScope: 'loop' })
  })
})
