import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Logger } from '../log/logger.js'
import { Reloader, globBase, globToRegExp } from './reloader.js'

describe('globToRegExp', () => {
  it('matches *, ? and [] within a segment and ** across segments', () => {
    expect(globToRegExp('/a/*.json').test('/a/x.json')).toBe(true)
    expect(globToRegExp('/a/*.json').test('/a/b/x.json')).toBe(false)
    expect(globToRegExp('/a/**/*.html').test('/a/x.html')).toBe(true)
    expect(globToRegExp('/a/**/*.html').test('/a/b/c/x.html')).toBe(true)
    expect(globToRegExp('/a/v?.txt').test('/a/v1.txt')).toBe(true)
    expect(globToRegExp('/a/[ab].txt').test('/a/b.txt')).toBe(true)
    expect(globToRegExp('/a/[!ab].txt').test('/a/b.txt')).toBe(false)
    expect(globToRegExp('/a.b/c').test('/aXb/c')).toBe(false)
  })

  it('finds the directory a glob starts from', () => {
    expect(globBase('/srv/app/config/*.json')).toBe('/srv/app/config')
    expect(globBase('/srv/**/x')).toBe('/srv')
  })
})

describe('Reloader', () => {
  const dirs: string[] = []
  const reloaders: Reloader[] = []
  afterEach(() => {
    for (const r of reloaders.splice(0)) r.close()
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  })
  const setup = () => {
    const dir = mkdtempSync(join(tmpdir(), 'gu-reload-'))
    dirs.push(dir)
    const changes: string[] = []
    const reloader = new Reloader(new Logger({ level: 'critical', format: 'text', to: ['-'], syslog: null }), (file) => changes.push(file), 50)
    reloaders.push(reloader)
    return { dir, changes, reloader }
  }
  const settle = () => new Promise((resolve) => setTimeout(resolve, 300))

  it('reports one change for a burst of writes to a watched file, and ignores other files', async () => {
    const { dir, changes, reloader } = setup()
    writeFileSync(join(dir, 'app.mjs'), 'a')
    writeFileSync(join(dir, 'other.mjs'), 'a')
    reloader.addFiles([join(dir, 'app.mjs')])
    writeFileSync(join(dir, 'other.mjs'), 'b')
    await settle()
    expect(changes).toEqual([])
    for (const text of ['b', 'c', 'd']) writeFileSync(join(dir, 'app.mjs'), text)
    await settle()
    expect(changes).toEqual([join(dir, 'app.mjs')])
  })

  it('watches extra globs, including files created after it started', async () => {
    const { dir, changes, reloader } = setup()
    mkdirSync(join(dir, 'views', 'deep'), { recursive: true })
    reloader.setExtraFiles(['views/**/*.html', 'data.json'], dir)
    writeFileSync(join(dir, 'views', 'deep', 'new.html'), 'x')
    await settle()
    expect(changes).toEqual([join(dir, 'views', 'deep', 'new.html')])
    writeFileSync(join(dir, 'data.json'), '{}')
    await settle()
    expect(changes).toEqual([join(dir, 'views', 'deep', 'new.html'), join(dir, 'data.json')])
  })

  it('reports nothing once closed', async () => {
    const { dir, changes, reloader } = setup()
    writeFileSync(join(dir, 'app.mjs'), 'a')
    reloader.addFiles([join(dir, 'app.mjs')])
    reloader.close()
    writeFileSync(join(dir, 'app.mjs'), 'b')
    await settle()
    expect(changes).toEqual([])
  })
})
