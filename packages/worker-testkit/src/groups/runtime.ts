// runtime: what the class must report to the shared runtime for every request — seen from the
// outside as one access-log line and one preRequest/postRequest pair per request.
import { existsSync, readFileSync } from 'node:fs'
import { ensure, show } from '../ensure.js'
import type { FixtureApp } from '../fixtures.js'
import { request } from '../http-client.js'
import type { Check, CheckContext } from '../types.js'
import { pollUntil, sleep } from '../wait.js'

const group = 'runtime'
const FORMAT = '%(h)s|%(m)s|%(U)s|%(q)s|%(H)s|%(s)s|%(b)s|%(f)s|%(a)s'

/** The lines of `file`, less those of the kit's start-up probe (`GET /pid`). */
function lines(file: string): string[] {
  const all = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []
  return all.filter((line) => !/(^|[| ])\/pid([| ]|$)/.test(line))
}

interface Sent {
  method: string
  path: string
  query: string
  status: number
  body?: string
  /** What the app sends back, in bytes. */
  bytes: number
  referer: string
  agent: string
}

const REQUESTS: readonly Sent[] = [
  { method: 'GET', path: '/bytes', query: 'n=1234&x=y', status: 200, bytes: 1234, referer: 'http://testkit.example/from', agent: 'gu-testkit/1 (access log)' },
  { method: 'POST', path: '/echo', query: '', status: 201, body: 'twelve bytes', bytes: 12, referer: '-', agent: 'gu-testkit/2' },
  { method: 'GET', path: '/no-such-route', query: 'q=1', status: 404, bytes: 9, referer: '-', agent: 'gu-testkit/3' },
]

function send(url: string, sent: Sent) {
  const headers: Record<string, string> = { 'user-agent': sent.agent }
  if (sent.referer !== '-') headers.referer = sent.referer
  return request(`${url}${sent.path}${sent.query ? `?${sent.query}` : ''}`, { method: sent.method, headers, body: sent.body })
}

async function accessLog(ctx: CheckContext, app: FixtureApp): Promise<void> {
  const file = ctx.file(`access-${app}.log`)
  const gu = await ctx.start({ app, args: ['--access-logfile', file, '--access-logformat', FORMAT] })
  for (const sent of REQUESTS) {
    const res = await send(gu.url, sent)
    ensure(res.status === sent.status, `${sent.method} ${sent.path} got ${res.status}, expected ${sent.status}`)
  }
  await pollUntil(() => lines(file).length >= REQUESTS.length, 3000)
  // Room for a duplicate line to show up.
  await sleep(200)
  const written = lines(file)
  ensure(written.length > 0, `no access-log line was written for ${REQUESTS.length} requests (${app} app, --access-logfile ${file})`)
  ensure(written.length === REQUESTS.length, `${written.length} access-log lines for ${REQUESTS.length} requests (${app} app): ${show(written.join(' / '), 200)}`)
  REQUESTS.forEach((sent, i) => {
    const expected = ['127.0.0.1', sent.method, sent.path, sent.query || '-', 'HTTP/1.1', String(sent.status), String(sent.bytes), sent.referer, sent.agent]
    const got = written[i]!.split('|')
    const atoms = FORMAT.split('|')
    for (let a = 0; a < atoms.length; a++) {
      ensure(got[a] === expected[a], `access-log ${atoms[a]} was ${show(got[a])} for ${sent.method} ${sent.path} (${app} app), expected ${show(expected[a])}; line: ${written[i]}`)
    }
  })
}

const hooks: Check = {
  group,
  name: 'preRequest and postRequest run once per request, postRequest seeing the status',
  timeoutMs: 30_000,
  async run(ctx) {
    const file = ctx.file('hooks.log')
    // Only method, url and statusCode: node's objects and the contract's request views both have them.
    const config = `import { appendFileSync } from 'node:fs'
const FILE = ${JSON.stringify(file)}
export default {
  preRequest(worker, req) { appendFileSync(FILE, ['pre', req.method, req.url].join(' ') + '\\n') },
  postRequest(worker, req, res) { appendFileSync(FILE, ['post', req.method, req.url, res.statusCode].join(' ') + '\\n') },
}
`
    const gu = await ctx.start({ config })
    for (const sent of REQUESTS) await send(gu.url, sent)
    await pollUntil(() => lines(file).length >= 2 * REQUESTS.length, 3000)
    await sleep(200)
    const written = lines(file)
    ensure(written.length > 0, `neither preRequest nor postRequest ran for ${REQUESTS.length} requests`)
    for (const sent of REQUESTS) {
      const target = `${sent.path}${sent.query ? `?${sent.query}` : ''}`
      const pre = written.filter((l) => l === `pre ${sent.method} ${target}`).length
      const post = written.filter((l) => l.startsWith(`post ${sent.method} ${target} `))
      ensure(pre === 1, `preRequest ran ${pre} time(s) for ${sent.method} ${target}, expected once`)
      ensure(post.length === 1, `postRequest ran ${post.length} time(s) for ${sent.method} ${target}, expected once`)
      ensure(post[0] === `post ${sent.method} ${target} ${sent.status}`, `postRequest saw res.statusCode ${show(post[0]!.split(' ').at(-1))} for ${sent.method} ${target}, expected ${sent.status}`)
      ensure(written.indexOf(`pre ${sent.method} ${target}`) < written.indexOf(post[0]!), `postRequest ran before preRequest for ${sent.method} ${target}`)
    }
    ensure(written.length === 2 * REQUESTS.length, `${written.length} hook calls for ${REQUESTS.length} requests: ${show(written.join(' / '), 200)}`)
  },
}

/** A request the client gives up on is still logged, and with its client's address (read as it began). */
const abortedClient: Check = {
  group,
  name: 'a request the client aborted is logged with the client address, not -',
  timeoutMs: 40_000,
  async run(ctx) {
    for (const app of ['node', 'fetch'] as const) {
      const file = ctx.file(`aborted-${app}.log`)
      const gu = await ctx.start({ app, args: ['--access-logfile', file, '--access-logformat', FORMAT] })
      await request(`${gu.url}/slow?ms=1500`, { timeoutMs: 300 }).catch(() => undefined)
      const line = await pollUntil(() => lines(file).find((l) => l.includes('|/slow|')), 5000)
      ensure(line, `no access-log line within 5s for a request the client aborted after 0.3s (${app} app)`)
      const address = line.split('|')[0]
      ensure(address === '127.0.0.1', `the access log named the client of an aborted request ${show(address)} (${app} app), expected 127.0.0.1; line: ${line}`)
      gu.kill()
    }
  },
}

export const runtimeChecks: readonly Check[] = [
  { group, name: 'one access-log line per request, with the right atoms (node app)', timeoutMs: 30_000, run: (ctx) => accessLog(ctx, 'node') },
  { group, name: 'one access-log line per request, with the right atoms (fetch app)', timeoutMs: 30_000, run: (ctx) => accessLog(ctx, 'fetch') },
  hooks,
  abortedClient,
]
