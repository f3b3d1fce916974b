// interfaces: both app interfaces gu speaks are served alike: status, headers, body, the
// request body, and a 500 (not a dead worker) when the app throws.
import { ensure, show } from '../ensure.js'
import type { FixtureApp } from '../fixtures.js'
import { request, servedBy } from '../http-client.js'
import type { Check, CheckContext } from '../types.js'

const group = 'interfaces'

async function servesCorrectly(ctx: CheckContext, app: FixtureApp): Promise<void> {
  const gu = await ctx.start({ app })
  const fixed = await request(`${gu.url}/fixed`)
  ensure(fixed.status === 200, `GET /fixed answered ${fixed.status}, expected 200`)
  ensure(fixed.text === 'hello world', `GET /fixed body was ${show(fixed.text)}, expected "hello world"`)
  ensure(/^text\/plain/.test(fixed.headers['content-type'] ?? ''), `GET /fixed content-type was ${show(fixed.headers['content-type'])}, expected text/plain`)

  const body = JSON.stringify({ testkit: true, text: 'ünïcödé ✓' })
  const echo = await request(`${gu.url}/echo?x=1`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-test': 'from the client' },
    body,
  })
  ensure(echo.status === 201, `POST /echo answered ${echo.status}, expected the app's 201`)
  ensure(echo.headers['x-echo-method'] === 'POST', `the app saw method ${show(echo.headers['x-echo-method'])}, expected POST`)
  ensure(echo.headers['x-echo-url'] === '/echo?x=1', `the app saw target ${show(echo.headers['x-echo-url'])}, expected "/echo?x=1"`)
  ensure(echo.headers['x-echo-header'] === 'from the client', `the app saw x-test ${show(echo.headers['x-echo-header'])}, expected "from the client"`)
  ensure(echo.headers['content-type'] === 'application/json', `the response content-type was ${show(echo.headers['content-type'])}, expected application/json`)
  const cookies = echo.headers['set-cookie'] ?? []
  ensure(cookies.length === 2 && cookies[0] === 'a=1' && cookies[1] === 'b=2', `the app's two set-cookie headers arrived as ${show(JSON.stringify(cookies))}`)
  ensure(echo.text === body, `the echoed request body was ${show(echo.text)}, expected ${show(body)}`)

  const missing = await request(`${gu.url}/no-such-route`)
  ensure(missing.status === 404, `the app's 404 arrived as ${missing.status}`)

  const before = await servedBy(gu.url)
  const thrown = await request(`${gu.url}/throw`)
  ensure(thrown.status === 500, `an app that throws was answered ${thrown.status}, expected 500`)
  const after = await servedBy(gu.url)
  ensure(after === before, `after the app threw, /pid was served by ${after}, not the same worker ${before}: the worker died`)
}

export const interfaceChecks: readonly Check[] = [
  { group, name: 'a node (req, res) listener is served correctly', timeoutMs: 30_000, run: (ctx) => servesCorrectly(ctx, 'node') },
  { group, name: 'a fetch (Request) => Response handler is served correctly', timeoutMs: 30_000, run: (ctx) => servesCorrectly(ctx, 'fetch') },
]
