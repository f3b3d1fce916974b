// proxy: whose forwarding headers are believed (--forwarded-allow-ips), and the client they
// describe, as the access log and fetch apps see it.
import { ensure, fail, show } from '../ensure.js'
import { fixtureAppModuleFile } from '../fixtures.js'
import type { GuProcess } from '../gu-process.js'
import { RawConnection } from '../raw-connection.js'
import type { Check, CheckContext } from '../types.js'
import { pollUntil } from '../wait.js'

const group = 'proxy'
const APP = { module: fixtureAppModuleFile('proxy-app.mjs') }
const LOG_ARGS = ['--access-logfile', '-', '--access-logformat', 'proxied %(h)s %(U)s']

interface Seen {
  url: string
  ip: string | null
}

/** One request from 127.0.0.1 with `fields`; what the app saw and what the access log said. */
async function ask(gu: GuProcess, path: string, fields: string[]): Promise<{ seen: Seen; logged: string }> {
  const conn = await RawConnection.open(gu.port)
  try {
    conn.write(`GET ${path} HTTP/1.1\r\nHost: app.example\r\n${fields.map((f) => `${f}\r\n`).join('')}\r\n`)
    const res = await conn.readResponse('GET', 5000)
    if (!res) return fail(`no response to GET ${path} within 5s`)
    ensure(res.status === 200, `GET ${path} got ${res.status}, expected 200`)
    const line = new RegExp(`proxied (\\S+) ${path.replace(/[/]/g, '\\/')}\\b`)
    const logged = await pollUntil(() => line.exec(gu.output)?.[1], 3000, 20)
    return { seen: JSON.parse(res.body.toString()) as Seen, logged: logged ?? fail(`no access-log line for GET ${path} within 3s`) }
  } finally {
    conn.destroy()
  }
}

async function expectClient(gu: GuProcess, path: string, fields: string[], address: string, scheme: 'http' | 'https', why: string) {
  const { seen, logged } = await ask(gu, path, fields)
  ensure(logged === address, `${why}: the access log's %(h)s was ${logged}, expected ${address}`)
  ensure(seen.url.startsWith(`${scheme}://`), `${why}: the fetch app's Request.url was ${show(seen.url)}, expected ${scheme}://…`)
  // Engines that pass no server argument (uws) leave requestIP to the access log's check above.
  if (seen.ip !== null) ensure(seen.ip === address, `${why}: requestIP() said ${seen.ip}, expected ${address}`)
}

const trusted: Check = {
  group,
  name: 'from a trusted proxy (127.0.0.1 by default), X-Forwarded-For, X-Forwarded-Proto and Forwarded decide the client and its scheme',
  timeoutMs: 30_000,
  async run(ctx: CheckContext) {
    const gu = await ctx.start({ app: APP, args: LOG_ARGS })
    await expectClient(gu, '/xff', ['X-Forwarded-For: 203.0.113.7', 'X-Forwarded-Proto: https'], '203.0.113.7', 'https', 'X-Forwarded-For and -Proto from 127.0.0.1')
    await expectClient(gu, '/chain', ['X-Forwarded-For: 198.51.100.1, 203.0.113.9, 127.0.0.1'], '203.0.113.9', 'http', 'a chain ending in a trusted proxy')
    await expectClient(gu, '/forwarded', ['Forwarded: for=192.0.2.60;proto=https'], '192.0.2.60', 'https', 'Forwarded from 127.0.0.1')
    await expectClient(gu, '/ssl', ['X-Forwarded-Ssl: on'], '127.0.0.1', 'https', "Gunicorn's X-Forwarded-Ssl: on")
    await expectClient(gu, '/plain', [], '127.0.0.1', 'http', 'no forwarding headers')
  },
}

const untrusted: Check = {
  group,
  name: 'from a peer not in --forwarded-allow-ips, forwarding headers change nothing',
  timeoutMs: 30_000,
  async run(ctx: CheckContext) {
    const gu = await ctx.start({ app: APP, args: [...LOG_ARGS, '--forwarded-allow-ips', '10.0.0.0/8'] })
    await expectClient(gu, '/spoofed', ['X-Forwarded-For: 203.0.113.7', 'X-Forwarded-Proto: https', 'Forwarded: for=192.0.2.60;proto=https'], '127.0.0.1', 'http', 'forwarding headers from an untrusted 127.0.0.1')
  },
}

export const proxyChecks: readonly Check[] = [trusted, untrusted]
