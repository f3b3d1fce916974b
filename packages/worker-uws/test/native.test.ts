// The native binary or one clear line: at --check-config and at start, never a silent fallback.
import { spawnSync } from 'node:child_process'
import { afterAll, describe, expect, it } from 'vitest'
import { GU, UWS_CLASS, appDir, cleanup } from './helpers.js'

afterAll(cleanup)

function gu(args: string[], env: NodeJS.ProcessEnv = {}) {
  const dir = appDir({ 'app.mjs': 'export function app(req, res) { res.end("ok") }\n' })
  const run = spawnSync(process.execPath, [GU, 'app.mjs:app', '-k', UWS_CLASS, ...args], { cwd: dir, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 15_000 })
  return { code: run.status, lines: `${run.stdout}${run.stderr}`.trim().split('\n').filter(Boolean) }
}

describe('loading uWebSockets.js', () => {
  it('passes --check-config when the native binary loads', () => {
    expect(gu(['-b', '127.0.0.1:0', '--check-config']).code).toBe(0)
  })

  it('refuses its JavaScript fallback in one line, at --check-config and at start', () => {
    for (const args of [['-b', '127.0.0.1:0', '--check-config'], ['-b', '127.0.0.1:0']]) {
      const { code, lines } = gu(args, { UWS_USE_FALLBACK: '1' })
      expect(code).toBe(1)
      expect(lines).toEqual([
        "gu: error: worker class 'uws' can't run with these settings: UWS_USE_FALLBACK=1 asks uWebSockets.js for its JavaScript fallback, which this worker class never serves on: unset it",
      ])
    }
  })

  it('refuses a unix socket with more than one worker, and fd://', () => {
    const unix = gu(['-b', 'unix:/tmp/gu-uws-test.sock', '-w', '2'])
    expect(unix.code).toBe(1)
    expect(unix.lines).toHaveLength(1)
    expect(unix.lines[0]).toMatch(/each worker binds unix:\/tmp\/gu-uws-test.sock itself .*use -w 1 with a unix socket/)
    const fd = gu(['-b', 'fd://3'])
    expect(fd.code).toBe(1)
    expect(fd.lines[0]).toMatch(/can't serve fd:\/\/3/)
  })
})
