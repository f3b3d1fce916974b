// The app's own lifecycle under gu: Fastify's close(), startup/shutdown exports, async hooks
// awaited, an app's own SIGTERM handler made harmless, and an app that listens by itself.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { Gu, cleanupApps, killAll, makeApp, request, sleep } from '../src/harness.js'

afterEach(killAll)
afterAll(cleanupApps)

async function serve(files: Record<string, string>, appModule: string, extra: string[] = []): Promise<{ gu: Gu; url: string; dir: string }> {
  const dir = makeApp(files)
  const gu = new Gu([appModule, '-k', 'async', '-b', '127.0.0.1:0', '--graceful-timeout', '10', ...extra], { cwd: dir })
  await gu.waitForWorkers(1)
  return { gu, url: await gu.url(), dir }
}

/** `name=ms` lines an app or hook appended to `marks` in its directory. */
function marks(dir: string): Record<string, number> {
  const file = join(dir, 'marks')
  if (!existsSync(file)) return {}
  return Object.fromEntries(readFileSync(file, 'utf8').trim().split('\n').map((line) => line.split('=') as [string, string]).map(([k, v]) => [k, Number(v)]))
}

const MARK = `import { appendFileSync } from 'node:fs'
export const mark = (name) => appendFileSync(new URL('./marks', import.meta.url), name + '=' + Date.now() + '\\n')
export const later = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
`

/** TERM while a slow request is in flight: the request's answer time and the arbiter's exit code. */
async function termDuringSlowRequest(gu: Gu, url: string): Promise<{ status: number; body: string; at: number; code: number | null }> {
  const slow = request(`${url}/slow`).then((res) => ({ ...res, at: Date.now() }))
  await sleep(300)
  const { code } = await gu.stop('SIGTERM')
  const res = await slow
  return { status: res.status, body: res.body, at: res.at, code }
}

describe('the app shuts down with the worker', () => {
  it("Fastify's close() (its onClose hooks) runs on a graceful stop, after the request in flight", async () => {
    const { gu, url, dir } = await serve(
      {
        'mark.mjs': MARK,
        'app.mjs': `import Fastify from 'fastify'
import { mark, later } from './mark.mjs'
const app = Fastify()
app.get('/slow', async () => { await later(1000); return 'slow done' })
app.addHook('onClose', async () => { await later(200); mark('onClose') })
export default app
`,
      },
      'app.mjs',
    )
    const outcome = await termDuringSlowRequest(gu, url)
    expect(outcome.status, gu.log).toBe(200)
    expect(outcome.body).toBe('slow done')
    expect(outcome.code).toBe(0)
    expect(marks(dir).onClose, gu.log).toBeGreaterThanOrEqual(outcome.at - 50)
  })

  it('a startup export is awaited before the worker serves, a shutdown export after requests drain', async () => {
    const { gu, url, dir } = await serve(
      {
        'mark.mjs': MARK,
        'app.mjs': `import { mark, later } from './mark.mjs'
let started = false
export async function startup() { await later(800); started = true; mark('startup') }
export async function shutdown() { await later(300); mark('shutdown') }
export function app(req, res) {
  if (req.url === '/slow') return setTimeout(() => res.end('slow done'), 1000)
  res.end(started ? 'started' : 'not started')
}
`,
      },
      'app.mjs:app',
    )
    expect((await request(url)).body).toBe('started')
    const outcome = await termDuringSlowRequest(gu, url)
    expect(outcome.status).toBe(200)
    expect(outcome.code).toBe(0)
    expect(marks(dir).shutdown, gu.log).toBeGreaterThanOrEqual(outcome.at - 50)
  })

  it("the app's own SIGTERM handler (await close, then process.exit) no longer loses the request in flight, and gu warns at boot", async () => {
    const { gu, url, dir } = await serve(
      {
        'mark.mjs': MARK,
        'app.mjs': `import Fastify from 'fastify'
import { mark, later } from './mark.mjs'
const app = Fastify()
app.get('/slow', async () => { await later(1000); return 'slow done' })
process.on('SIGTERM', async () => { await app.close(); mark('own-sigterm'); process.exit(0) })
export default app
`,
      },
      'app.mjs',
    )
    expect(gu.log).toMatch(/The app handles SIGTERM itself .* Export a shutdown\(\) function/)
    const outcome = await termDuringSlowRequest(gu, url)
    expect(outcome.status, gu.log).toBe(200)
    expect(outcome.body).toBe('slow done')
    expect(marks(dir)['own-sigterm'], gu.log).toBeGreaterThanOrEqual(outcome.at - 50)
  })
})

describe('hooks that await', () => {
  it('an async workerExit is awaited to its end', async () => {
    const { gu, dir } = await serve(
      {
        'mark.mjs': MARK,
        'app.mjs': `export function app(req, res) { res.end('ok') }\n`,
        'gu.config.mjs': `import { mark, later } from './mark.mjs'
export default { workerExit: async () => { await later(400); mark('workerExit') } }
`,
      },
      'app.mjs:app',
      ['-c', 'gu.config.mjs'],
    )
    expect((await gu.stop('SIGTERM')).code).toBe(0)
    expect(marks(dir).workerExit, gu.log).toBeGreaterThan(0)
  })

  it('an async workerInt is awaited on INT', async () => {
    const { gu, dir } = await serve(
      {
        'mark.mjs': MARK,
        'app.mjs': `export function app(req, res) { res.end('ok') }\n`,
        'gu.config.mjs': `import { mark, later } from './mark.mjs'
export default { workerInt: async () => { await later(400); mark('workerInt') } }
`,
      },
      'app.mjs:app',
      ['-c', 'gu.config.mjs'],
    )
    await gu.stop('SIGINT')
    expect(marks(dir).workerInt, gu.log).toBeGreaterThan(0)
  })
})

it('warns at boot, naming the port, when the app listens by itself', async () => {
  const { gu } = await serve({ 'app.mjs': `import express from 'express'\nexport const app = express()\napp.listen(0)\n` }, 'app.mjs:app')
  const match = await gu.waitFor(/The app listens on port (\d+) itself: .*Remove it/)
  expect(Number(match[1])).toBeGreaterThan(0)
})
