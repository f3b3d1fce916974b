// CONFIG_FILE (the original's YAML shape), the environment winning over it, and outages: a
// database that can't be reached makes the health checks say 503; a Redis that can't be reached
// only degrades the searches to uncached answers, with one warning per outage.
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, expect, it } from 'vitest'
import { CI, HAVE_SERVICES, MISSING_SERVICES, freshDatabase } from './support/backends.js'
import { GuProcess, freePort, killAll, scratchDir } from './support/gu-process.js'
import { call, postJson } from './support/http.js'
import { OpenApiCheck } from './support/openapi-check.js'

const API = '/api/v1/attendance'
afterEach(killAll)

function yamlFile(dir: string, text: string): string {
  const path = join(dir, 'config.yaml')
  writeFileSync(path, text)
  return path
}

const start = async (env: NodeJS.ProcessEnv) => {
  const gu = new GuProcess(['app:app', '-k', 'async', '-w', '1', '-b', '127.0.0.1:0'], env)
  const url = (await gu.waitFor(/Listening at: (http:\/\/\S+) /))[1]!
  await gu.waitFor(/Booting worker/)
  return { gu, url }
}

it('uses the PostgreSQL of CONFIG_FILE, and answers 503 while it is unreachable', async () => {
  const dir = scratchDir()
  const port = await freePort() // nothing listens there
  const config = yamlFile(dir, `postgres:\n  database: attendance\n  host: 127.0.0.1\n  port: ${port}\n  user: app\n  password: secret\n`)
  const { gu, url } = await start({ DATA_DIR: dir, CONFIG_FILE: config })
  const spec = new OpenApiCheck((await call(`${url}/apispec.json`)).json)
  const health = await waitForAnswer(`${url}${API}/health`)
  expect(health.status).toBe(503)
  expect(health.json).toEqual({ message: 'Attendance API is not healthy, please check logs' })
  spec.check('GET', `${API}/health`, health)
  const detail = await call(`${url}${API}/health/detail`)
  expect(detail.status).toBe(503)
  expect(detail.json).toEqual({ message: 'Attendance API is not healthy, please check logs', postgresql: 'down', redis: 'disabled', status: 'unhealthy' })
  spec.check('GET', `${API}/health/detail`, detail)
  // A request that needs the database fails alone, as JSON; the worker goes on serving.
  const search = await call(`${url}${API}/search?id=1`)
  expect(search.status).toBe(500)
  expect(search.json.error).toBe('Internal Server Error')
  expect((await call(`${url}${API}/health`)).status).toBe(503)
  expect(gu.log).toMatch(/the database is unreachable/)
})

it('degrades to uncached answers while Redis is unreachable, warning once per outage', async () => {
  const dir = scratchDir()
  const port = await freePort()
  const config = yamlFile(dir, `redis:\n  host: 127.0.0.1\n  port: ${port}\n`)
  const { gu, url } = await start({ DATA_DIR: dir, CONFIG_FILE: config })
  expect((await postJson(`${url}${API}/create`, { id: 'r1', name: 'R', status: 'present', date: '2024-01-01' })).status).toBe(200)
  for (let i = 0; i < 5; i++) {
    const reply = await call(`${url}${API}/search?id=r1`)
    expect(reply.status).toBe(200)
    expect(reply.headers['x-cache']).toBe('miss')
  }
  const detail = await call(`${url}${API}/health/detail`)
  expect(detail.status).toBe(200)
  expect(detail.json).toMatchObject({ postgresql: 'up', redis: 'down', status: 'healthy' })
  expect(gu.log.match(/Redis cache unavailable/g)?.length).toBe(1)
})

it('refuses an unreadable CONFIG_FILE in one line, naming it', async () => {
  const dir = scratchDir()
  const gu = new GuProcess(['app:app', '-k', 'async', '-w', '1', '-b', '127.0.0.1:0'], { DATA_DIR: dir, CONFIG_FILE: join(dir, 'missing.yaml') })
  expect(await gu.exited).toBe(4)
  expect(gu.log).toContain(`CONFIG_FILE ${join(dir, 'missing.yaml')}: cannot read it`)
})

if (CI && !HAVE_SERVICES) {
  it('has a PostgreSQL and a Redis to test against', () => {
    throw new Error(MISSING_SERVICES)
  })
}
if (HAVE_SERVICES) {
  it('lets DATABASE_URL win over the CONFIG_FILE', async () => {
    const dir = scratchDir()
    const db = await freshDatabase()
    try {
      const config = yamlFile(dir, `postgres:\n  host: 127.0.0.1\n  port: ${await freePort()}\n  database: nowhere\n`)
      const { url } = await start({ DATA_DIR: dir, CONFIG_FILE: config, DATABASE_URL: db.url })
      expect((await waitForAnswer(`${url}${API}/health`)).status).toBe(200)
      expect((await postJson(`${url}${API}/create`, { id: 'env', name: 'E', status: 'present', date: '2024-01-01' })).status).toBe(200)
      const pg = (await import('pg')).default
      const client = new pg.Client({ connectionString: db.url })
      await client.connect()
      const { rows } = await client.query('SELECT id FROM attendance')
      await client.end()
      expect(rows).toEqual([{ id: 'env' }])
    } finally {
      await killAll()
      await db.drop()
    }
  })
}

async function waitForAnswer(url: string) {
  const deadline = Date.now() + 20_000
  for (;;) {
    try {
      return await call(url)
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((r) => setTimeout(r, 100))
    }
  }
}

it("counts metrics from the arbiter's start: the snapshots an earlier run left are dropped", async () => {
  const dir = scratchDir()
  const line = new RegExp(`^attendance_api_requests_total\\{method="GET",path="${API}/search",status="400"\\} (\\d+)$`, 'm')
  const first = await start({ DATA_DIR: dir })
  for (let i = 0; i < 3; i++) expect((await call(`${first.url}${API}/search`)).status).toBe(400)
  expect((await call(`${first.url}/metrics`)).text.match(line)?.[1]).toBe('3')
  expect(await first.gu.stop()).toBe(0)
  const second = await start({ DATA_DIR: dir })
  expect((await call(`${second.url}/metrics`)).text).not.toMatch(line)
  expect((await call(`${second.url}${API}/search`)).status).toBe(400)
  expect((await call(`${second.url}/metrics`)).text.match(line)?.[1]).toBe('1')
})

// Needs a redis-server of its own to stop and start (.ci/run installs Debian's).
const HAVE_REDIS_SERVER = spawnSync('redis-server', ['--version']).status === 0
if (HAVE_SERVICES || (CI && HAVE_REDIS_SERVER)) {
  it('warns once when Redis goes away and once when it is back, and caches again', async () => {
    if (!HAVE_REDIS_SERVER) throw new Error('redis-server is not installed (apt-get install -y redis-server)')
    const { spawn } = await import('node:child_process')
    const port = await freePort()
    const startRedis = () => spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
    let redis = startRedis()
    try {
      // Up before the app connects, so the only outage the log sees is the one made below.
      const { Redis } = await import('ioredis')
      const probe = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => 50 })
      probe.on('error', () => {})
      await waitForValue(async () => (await probe.ping().catch(() => '')) === 'PONG', 'redis-server to answer')
      probe.disconnect()
      const dir = scratchDir()
      const { gu, url } = await start({ DATA_DIR: dir, REDIS_URL: `redis://127.0.0.1:${port}` })
      expect((await postJson(`${url}${API}/create`, { id: 'o1', name: 'O', status: 'present', date: '2024-01-01' })).status).toBe(200)
      const searchCache = async () => (await call(`${url}${API}/search?id=o1`)).headers['x-cache']
      await waitForValue(async () => (await searchCache()) === 'miss' && (await searchCache()) === 'hit', 'a cache hit')
      const gone = new Promise((done) => redis.once('exit', done))
      redis.kill('SIGKILL')
      await gone // before a new one takes the port
      for (let i = 0; i < 5; i++) expect((await call(`${url}${API}/search?id=o1`)).status).toBe(200)
      expect((await call(`${url}${API}/health/detail`)).json.redis).toBe('down')
      expect(gu.log.match(/Redis cache unavailable/g)?.length, gu.log).toBe(1)
      redis = startRedis()
      await waitForValue(() => /Redis cache is back/.test(gu.log), 'the app to log that Redis is back')
      await waitForValue(async () => (await searchCache()) === 'hit', 'a cache hit after the outage')
      expect((await call(`${url}${API}/health/detail`)).json.redis).toBe('up')
      expect(gu.log.match(/Redis cache unavailable/g)?.length).toBe(1)
      expect(gu.log.match(/Redis cache is back/g)?.length).toBe(1)
    } finally {
      redis.kill('SIGKILL')
    }
  })
}

async function waitForValue(check: () => boolean | Promise<boolean>, what: string) {
  const deadline = Date.now() + 20_000
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
