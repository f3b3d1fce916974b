// No Docker engine runs here: the Dockerfile is parsed, and what it promises is checked
// against the repository (the signal docs, the settings gu resolves, the health endpoint).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, expect, it } from 'vitest'
import { APP_DIR, GuProcess, killAll, scratchDir } from './support/gu-process.js'
import { call } from './support/http.js'

afterEach(killAll)

/** Instructions of the final stage as [KEYWORD, arguments], continuation lines joined. */
function finalStage(text: string): [string, string][] {
  const joined = text.replace(/\\\n\s*/g, ' ')
  const instructions = joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line): [string, string] => {
      const [keyword, ...rest] = line.split(/\s+/)
      return [keyword!.toUpperCase(), rest.join(' ')]
    })
  const lastFrom = instructions.map(([k]) => k).lastIndexOf('FROM')
  return instructions.slice(lastFrom)
}

const stage = finalStage(readFileSync(join(APP_DIR, 'Dockerfile'), 'utf8'))
const args = (keyword: string) => stage.filter(([k]) => k === keyword).map(([, a]) => a)

it('runs as a user that is not root', () => {
  const users = args('USER')
  expect(users.length).toBeGreaterThan(0)
  expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/)
})

it("stops with the signal docs/signals.md names for gu's graceful stop, within Docker's 10 s", async () => {
  const signals = readFileSync(join(APP_DIR, '../../docs/signals.md'), 'utf8')
  const graceful = signals.match(/^\| `([A-Z0-9]+)` \| Graceful stop/m)?.[1]
  expect(graceful).toBe('TERM')
  expect(args('STOPSIGNAL')).toEqual([`SIG${graceful}`])
  // The image's CMD resolves gracefulTimeout through gu.config.ts: it must end before Docker's KILL.
  const cmd = JSON.parse(args('CMD').at(-1)!) as string[]
  expect(cmd.slice(0, 2)).toEqual(['node_modules/.bin/gu', 'app:app'])
  const gu = new GuProcess([...cmd.slice(1), '--print-config'])
  expect(await gu.exited).toBe(0)
  const settings = JSON.parse(gu.stdout) as { gracefulTimeout: number; bind: string[]; logConfig: string }
  expect(settings.gracefulTimeout).toBeLessThan(10)
  expect(settings.bind).toEqual(['0.0.0.0:8080'])
  expect(settings.logConfig).toMatch(/log\.json$/)
})

it('checks health on the endpoint that reports it, with a command that fails when it is down', async () => {
  const [healthcheck] = args('HEALTHCHECK')
  expect(healthcheck).toMatch(/--interval=\d+s/)
  const exec = JSON.parse(healthcheck!.slice(healthcheck!.indexOf('CMD') + 3).trim()) as string[]
  expect(exec.slice(0, 2)).toEqual(['node', '-e'])
  expect(exec[2]).toContain('http://127.0.0.1:8080/api/v1/attendance/health')
  expect(args('EXPOSE')).toEqual(['8080'])
  // Run the check's own script against a real server on another port: 0 while up, 1 once gone.
  const gu = new GuProcess(['app:app', '-k', 'async', '-w', '1', '-b', '127.0.0.1:0'], { DATA_DIR: scratchDir() })
  const url = await gu.ready()
  expect((await call(`${url}/api/v1/attendance/health`)).status).toBe(200)
  const script = exec[2]!.replace('http://127.0.0.1:8080', url)
  const { spawnSync } = await import('node:child_process')
  expect(spawnSync(process.execPath, ['-e', script]).status).toBe(0)
  await gu.stop()
  expect(spawnSync(process.execPath, ['-e', script]).status).toBe(1)
})

it('keeps its data where the unprivileged user may write, and builds what it runs', () => {
  const env = args('ENV').join(' ')
  expect(env).toMatch(/DATA_DIR=\/data/)
  expect(args('RUN').join(' ')).toMatch(/chown node:node \/data/)
  expect(args('VOLUME')).toEqual(['/data'])
  const text = readFileSync(join(APP_DIR, 'Dockerfile'), 'utf8')
  expect(text).toMatch(/pnpm@10\.34\.8 install --frozen-lockfile/)
  expect(text).toMatch(/deploy --legacy --prod \/app/)
})
