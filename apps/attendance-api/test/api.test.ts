// Every endpoint and status of the API, through a real gu under every worker class with 2
// workers, on embedded SQLite and on a real PostgreSQL + Redis; every response is checked
// against the app's own OpenAPI document.
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CI, HAVE_SERVICES, MISSING_SERVICES, freshDatabase, redisDatabase } from './support/backends.js'
import { GuProcess, freePort, killAll, scratchDir } from './support/gu-process.js'
import { type Reply, call, postJson } from './support/http.js'
import { OpenApiCheck } from './support/openapi-check.js'

const API = '/api/v1/attendance'
const REDIS_DB = 3

interface Backend {
  name: string
  cache: 'disabled' | 'up'
  env: () => Promise<{ env: NodeJS.ProcessEnv; cleanup: () => Promise<void> }>
}

const sqlite: Backend = {
  name: 'SQLite',
  cache: 'disabled',
  env: async () => ({ env: { DATA_DIR: scratchDir() }, cleanup: async () => {} }),
}
const postgresRedis: Backend = {
  name: 'PostgreSQL + Redis',
  cache: 'up',
  env: async () => {
    const db = await freshDatabase()
    const redis = new Redis(redisDatabase(REDIS_DB))
    await redis.flushdb()
    redis.disconnect()
    return { env: { DATA_DIR: scratchDir(), DATABASE_URL: db.url, REDIS_URL: redisDatabase(REDIS_DB) }, cleanup: db.drop }
  },
}

if (CI && !HAVE_SERVICES) {
  it('has a PostgreSQL and a Redis to test against', () => {
    throw new Error(MISSING_SERVICES)
  })
}
const CLASSES = ['sync', 'async', 'threads', 'uws'] as const
const backends = HAVE_SERVICES ? [sqlite, postgresRedis] : [sqlite]
const cases = backends.flatMap((backend) => CLASSES.map((workerClass) => ({ backend, workerClass, name: backend.name })))

describe.each(cases)('the API on $name, -k $workerClass -w 2', ({ backend, workerClass }) => {
  let url: string
  let gu: GuProcess
  let cleanup: () => Promise<void>
  let spec: OpenApiCheck
  /** Every reply, checked against the OpenAPI document at the end. */
  const seen: [string, string, Reply][] = []

  const get = async (path: string, template = path.split('?')[0]!): Promise<Reply> => {
    const reply = await call(url + path)
    seen.push(['GET', template, reply])
    return reply
  }
  const create = async (body: unknown, headers?: Record<string, string>, raw?: string): Promise<Reply> => {
    const reply =
      raw === undefined && headers === undefined
        ? await postJson(`${url}${API}/create`, body)
        : await call(`${url}${API}/create`, { method: 'POST', headers: headers ?? { 'content-type': 'application/json' }, body: raw ?? JSON.stringify(body) })
    seen.push(['POST', `${API}/create`, reply])
    return reply
  }

  beforeAll(async () => {
    const setup = await backend.env()
    cleanup = setup.cleanup
    // A real port: uws workers bind it themselves (port 0 would give each its own).
    gu = new GuProcess(['app:app', '-k', workerClass, '-w', '2', '-b', `127.0.0.1:${await freePort()}`], setup.env)
    url = await gu.ready(2)
    spec = new OpenApiCheck((await call(`${url}/apispec.json`)).json)
  })
  afterAll(async () => {
    await gu?.stop()
    await killAll()
    await cleanup?.()
  })

  it('creates a record, with the original message', async () => {
    const reply = await create({ id: 'e100', name: 'Ada', status: 'present', date: '2024-02-29' })
    expect(reply.status).toBe(200)
    expect(reply.json).toEqual({ message: 'Successfully created the record for the employee id: $e100' })
  })

  it('finds it by id, the date as YYYY-MM-DD', async () => {
    const reply = await get(`${API}/search?id=e100`)
    expect(reply.status).toBe(200)
    expect(reply.json).toEqual({ id: 'e100', name: 'Ada', status: 'present', date: '2024-02-29' })
  })

  it('lists every record ordered by id', async () => {
    for (const id of ['e300', 'e050', 'e200']) expect((await create({ id, name: `N${id}`, status: 'absent', date: '2025-01-31' })).status).toBe(200)
    const reply = await get(`${API}/search/all`)
    expect(reply.status).toBe(200)
    expect(reply.json.map((r: { id: string }) => r.id)).toEqual(['e050', 'e100', 'e200', 'e300'])
    expect(reply.json[0]).toEqual({ id: 'e050', name: 'Ne050', status: 'absent', date: '2025-01-31' })
  })

  it('refuses a duplicate id with 409, and the writes after it still work', async () => {
    const duplicate = await create({ id: 'e100', name: 'Again', status: 'present', date: '2024-03-01' })
    expect(duplicate.status).toBe(409)
    expect(duplicate.json.error).toBe('Conflict')
    // Failed writes on each worker's connection (fresh connections land on either), then writes.
    for (let i = 0; i < 3; i++) expect((await create({ id: 'e100', name: 'Again', status: 'present', date: '2024-03-01' })).status).toBe(409)
    const next = await create({ id: 'e101', name: 'Bob', status: 'present', date: '2024-03-01' })
    expect(next.status).toBe(200)
    expect((await get(`${API}/search?id=e101`)).json.name).toBe('Bob')
    expect((await get(`${API}/search?id=e100`)).json.name).toBe('Ada')
  })

  it('says which fields fail validation', async () => {
    const missing = await create({ id: 'x1', name: 'No date', status: 'present' })
    expect(missing.status).toBe(400)
    expect(missing.json).toEqual({ error: 'Validation Error', details: [{ field: 'date', message: 'is required' }] })
    const wrongType = await create({ id: 7, name: 'Seven', status: 'present', date: '2024-01-01' })
    expect(wrongType.status).toBe(400)
    expect(wrongType.json.details).toEqual([{ field: 'id', message: 'must be a string' }])
    const extra = await create({ id: 'x2', name: 'Extra', status: 'present', date: '2024-01-01', admin: true })
    expect(extra.status).toBe(400)
    expect(extra.json.details).toEqual([{ field: 'admin', message: 'is not allowed' }])
    const notObject = await create(['id'])
    expect(notObject.status).toBe(400)
    expect(notObject.json.error).toBe('Validation Error')
  })

  it('refuses an invalid date with 400', async () => {
    for (const date of ['2024-02-30', '2023-02-29', '2024/01/01', '24-01-01', '2024-13-01']) {
      const reply = await create({ id: `d-${date}`, name: 'D', status: 'present', date })
      expect(reply.status, date).toBe(400)
      expect(reply.json.details, date).toEqual([{ field: 'date', message: 'must be a real date in the form YYYY-MM-DD' }])
    }
    expect((await get(`${API}/search?id=d-2024-02-30`)).status).toBe(404)
  })

  it('answers a non-JSON content type with 415, malformed JSON with 400 and a huge body with 413, all as JSON', async () => {
    const text = await create(undefined, { 'content-type': 'text/plain' }, '{"id":"t1"}')
    expect(text.status).toBe(415)
    expect(text.headers['content-type']).toMatch(/^application\/json/)
    expect(text.json.error).toBe('Unsupported Media Type')
    const none = await create(undefined, {}, 'id=t2')
    expect(none.status).toBe(415)
    const malformed = await create(undefined, { 'content-type': 'application/json' }, '{"id": "t3",')
    expect(malformed.status).toBe(400)
    expect(malformed.json).toEqual({ error: 'Bad Request', message: 'The body is not valid JSON' })
    const huge = await create({ id: 'big', name: 'x'.repeat(20_000), status: 'present', date: '2024-01-01' })
    expect(huge.status).toBe(413)
    expect(huge.json.error).toBe('Payload Too Large')
  })

  it('answers a missing or empty id with 400 and an unknown id with 404', async () => {
    const expected = { message: 'Unable to process request, please check query params' }
    for (const query of ['', '?id=', '?name=Ada']) {
      const reply = await get(`${API}/search${query}`)
      expect(reply.status, query).toBe(400)
      expect(reply.json).toEqual(expected)
    }
    const unknown = await get(`${API}/search?id=nobody`)
    expect(unknown.status).toBe(404)
    expect(unknown.json.error).toBe('Not Found')
  })

  it('treats ids as data, not SQL', async () => {
    const reply = await get(`${API}/search?id=${encodeURIComponent("' OR '1'='1")}`)
    expect(reply.status).toBe(404)
    const odd = `o'brien"; DROP TABLE attendance; --`
    expect((await create({ id: odd, name: 'Q', status: 'present', date: '2024-01-02' })).status).toBe(200)
    expect((await get(`${API}/search?id=${encodeURIComponent(odd)}`)).json.id).toBe(odd)
    expect((await get(`${API}/search/all`)).json.length).toBe(6)
  })

  it('reports health, and the database and cache in detail', async () => {
    const health = await get(`${API}/health`)
    expect(health.status).toBe(200)
    expect(health.json).toEqual({ message: 'Attendance API is running fine and ready to serve requests' })
    const detail = await get(`${API}/health/detail`)
    expect(detail.status).toBe(200)
    expect(detail.json).toEqual({ message: 'Attendance API is running fine and ready to serve requests', postgresql: 'up', redis: backend.cache, status: 'healthy' })
  })

  it('serves Swagger UI offline at /apidocs, from the swagger-ui-dist package', async () => {
    const page = await call(`${url}/apidocs`)
    expect(page.status).toBe(200)
    expect(page.headers['content-type']).toMatch(/^text\/html/)
    expect(page.text).toContain('/apispec.json')
    const scripts = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)
    expect(scripts).toEqual(['/apidocs/swagger-ui.css', '/apidocs/swagger-ui-bundle.js'])
    for (const asset of scripts) {
      const reply = await call(url + asset)
      expect(reply.status, asset).toBe(200)
      expect(reply.text.length, asset).toBeGreaterThan(10_000)
    }
  })

  it('counts requests by path template in /metrics, with the info metric', async () => {
    // Each worker shares its counts at most every 100 ms: a scrape right after the requests may
    // see another worker's previous snapshot, so read until every expected line has arrived.
    const expected = [
      /^attendance_api\{version="1\.0\.0"\} 1$/m,
      new RegExp(`^attendance_api_requests_total\\{method="GET",path="${API}/search",status="404"\\} [1-9]`, 'm'),
      new RegExp(`^attendance_api_request_duration_seconds_count\\{method="POST",path="${API}/create",status="409"\\} 4$`, 'm'),
    ]
    let reply = await get('/metrics')
    for (const deadline = Date.now() + 5000; !expected.every((line) => line.test(reply.text)) && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      reply = await get('/metrics')
    }
    expect(reply.status).toBe(200)
    for (const line of expected) expect(reply.text).toMatch(line)
    expect(reply.text).not.toContain('nobody')
  })

  it('answers every request as the OpenAPI document says', () => {
    expect(seen.length).toBeGreaterThan(30)
    const statuses = new Set(seen.map(([m, p, r]) => `${m} ${p} ${r.status}`))
    for (const s of [`POST ${API}/create 200`, `POST ${API}/create 400`, `POST ${API}/create 409`, `POST ${API}/create 415`, `GET ${API}/search 404`, `GET ${API}/search 400`, `GET ${API}/health/detail 200`]) {
      expect(statuses).toContain(s)
    }
    for (const [method, path, reply] of seen) spec.check(method, path, reply)
  })

  if (backend.cache === 'up') {
    it('caches both searches in Redis for 20 s, keyed by the query string; a create invalidates search/all', async () => {
      const redis = new Redis(redisDatabase(REDIS_DB))
      try {
        await redis.flushdb()
        expect((await get(`${API}/search?id=e100`)).headers['x-cache']).toBe('miss')
        expect((await get(`${API}/search?id=e100`)).headers['x-cache']).toBe('hit')
        const other = await get(`${API}/search?id=e101`)
        expect([other.headers['x-cache'], other.json.id]).toEqual(['miss', 'e101'])
        const ttl = await redis.ttl(`attendance:${API}/search?id=e100`)
        expect(ttl).toBeGreaterThan(15)
        expect(ttl).toBeLessThanOrEqual(20)
        expect((await get(`${API}/search/all`)).headers['x-cache']).toBe('miss')
        const before = await get(`${API}/search/all`)
        expect(before.headers['x-cache']).toBe('hit')
        expect((await create({ id: 'e999', name: 'New', status: 'present', date: '2024-05-05' })).status).toBe(200)
        const after = await get(`${API}/search/all`)
        expect(after.headers['x-cache']).toBe('miss')
        expect(after.json.length).toBe(before.json.length + 1)
        // An unknown id is not cached: creating it later is seen at once.
        expect((await get(`${API}/search?id=e998`)).status).toBe(404)
        expect((await create({ id: 'e998', name: 'Late', status: 'present', date: '2024-05-05' })).status).toBe(200)
        expect((await get(`${API}/search?id=e998`)).status).toBe(200)
      } finally {
        redis.disconnect()
      }
    })
  }
})

