// Express 5, Koa, Fastify 5 and Hono 4 give the same answers in a thread as under `async`.
import { afterAll, describe, expect, it } from 'vitest'
import { type Gu, request, startGu, stopAll } from './harness.js'

afterAll(stopAll)

const REQUESTS: Array<{ name: string; path: string; method?: string; body?: string; headers?: Record<string, string> }> = [
  { name: 'JSON with a query', path: '/hello?x=1' },
  { name: 'a JSON body', path: '/echo', method: 'POST', body: JSON.stringify({ n: 1, s: 'ünï' }), headers: { 'content-type': 'application/json' } },
  { name: 'cookies and a custom header', path: '/cookie' },
  { name: 'a redirect', path: '/redirect' },
  { name: 'a handler that throws', path: '/boom' },
  { name: 'a handler that rejects', path: '/async-boom' },
  { name: 'a streamed body', path: '/stream' },
  { name: 'a route that does not exist', path: '/no-such-route' },
  { name: 'HEAD', path: '/hello', method: 'HEAD' },
]

const SEEN = ['content-type', 'content-length', 'set-cookie', 'location', 'x-custom', 'x-koa', 'etag', 'x-powered-by']

async function answers(gu: Gu) {
  const out: Record<string, unknown> = {}
  for (const r of REQUESTS) {
    const res = await request(`${gu.url}${r.path}`, { method: r.method, body: r.body, headers: r.headers })
    const headers = Object.fromEntries(SEEN.map((name) => [name, res.headers[name]]))
    out[r.name] = { status: res.status, headers, body: res.text }
  }
  return out
}

describe.each(['express', 'koa', 'fastify', 'hono'])('%s', (framework) => {
  it('answers in a thread as under async', async () => {
    const app = `${framework}-app.mjs:app`
    const env = { NODE_ENV: 'production' }
    const [underAsync, underThreads] = await Promise.all([
      startGu(app, { workerClass: '@gu/worker-async', env }),
      startGu(app, { env, args: ['--threads', '2'] }),
    ])
    const expected = await answers(underAsync)
    const got = await answers(underThreads)
    expect(got).toEqual(expected)
    expect((expected['JSON with a query'] as { status: number }).status).toBe(200)
    expect((expected['a handler that throws'] as { status: number }).status).toBe(500)
    await stopAll()
  })
})
