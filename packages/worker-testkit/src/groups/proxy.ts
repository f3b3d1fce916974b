// proxy: whose forwarding headers are believed (--forwarded-allow-ips), and the client they
// describe, as the access log and fetch apps see it.
import { ensure, fail, show } from '../ensure.js'
import { fixtureAppModuleFile } from '../fixtures.js'
import type { GuProcess } from '../gu-process.js'
import { getText } from '../http-client.js'
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

/** The v2 header for a TCP over IPv4 client (HAProxy's spec, section 2.2). */
function proxyV2(address: string, port: number): Buffer {
  const signature = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]
  const body = [...address.split('.').map(Number), 127, 0, 0, 1, port >> 8, port & 255, 0, 80]
  return Buffer.from([...signature, 0x21, 0x11, 0, body.length, ...body])
}

/** gu with --proxy-protocol, or undefined when the class refuses it at start in one clear line (the contract allows that). */
async function startWithProxyProtocol(ctx: CheckContext, args: string[]): Promise<GuProcess | undefined> {
  const gu = await ctx.spawn({ app: APP, args: [...LOG_ARGS, '--proxy-protocol', ...args] })
  const booted = await Promise.race([gu.waitForWorkers(1, 15_000), gu.exited.then(() => undefined)])
  if (booted) {
    const answered = await pollUntil(() => getText(`${gu.url}/ready`, { timeoutMs: 1000 }).then(() => true, () => undefined), 10_000, 50)
    return answered ? gu : fail('gu with --proxy-protocol booted but answered no request within 10s')
  }
  ensure(gu.exit && gu.exit.code !== 0, 'gu with --proxy-protocol neither booted a worker nor exited within 15s')
  ensure(/proxy-protocol/.test(gu.output), `gu with --proxy-protocol exited (code ${gu.exit!.code}) without saying why in terms of --proxy-protocol: ${show(gu.output.slice(-300))}`)
  ensure(!/\n\s+at /.test(gu.output), 'gu refused --proxy-protocol with a stack trace, not one clear line')
  return undefined
}

async function sendRaw(gu: GuProcess, bytes: Buffer): Promise<{ status: number | undefined; closed: boolean }> {
  const conn = await RawConnection.open(gu.port)
  try {
    conn.write(bytes)
    const res = await conn.readResponse('GET', 5000)
    return { status: res?.status, closed: await conn.waitForClose(2000) }
  } finally {
    conn.destroy()
  }
}

const proxyProtocol: Check = {
  group,
  name: '--proxy-protocol: a v1 or v2 header from an allowed peer gives the connection its client; plain HTTP is still served (or the class refuses the setting at start)',
  timeoutMs: 40_000,
  async run(ctx: CheckContext) {
    const gu = await startWithProxyProtocol(ctx, [])
    if (!gu) return
    for (const [version, header, address] of [
      ['v1', Buffer.from('PROXY TCP4 203.0.113.7 127.0.0.1 56324 80\r\n'), '203.0.113.7'],
      ['v2', proxyV2('198.51.100.3', 40000), '198.51.100.3'],
    ] as const) {
      const path = `/pp-${version}`
      const conn = await RawConnection.open(gu.port)
      try {
        conn.write(Buffer.concat([header, Buffer.from(`GET ${path} HTTP/1.1\r\nHost: app.example\r\n\r\nGET ${path}-again HTTP/1.1\r\nHost: app.example\r\n\r\n`)]))
        for (const target of [path, `${path}-again`]) {
          const res = await conn.readResponse('GET', 5000)
          ensure(res?.status === 200, `GET ${target} after a PROXY ${version} header got ${res ? res.status : 'no response'}, expected 200`)
          const seen = JSON.parse(res.body.toString()) as Seen
          if (seen.ip !== null) ensure(seen.ip === address, `after a PROXY ${version} header for ${address}, requestIP() said ${seen.ip}`)
          if (res.headers.connection?.includes('close')) break
        }
      } finally {
        conn.destroy()
      }
      const logged = await pollUntil(() => new RegExp(`proxied (\\S+) ${path}\\b`).exec(gu.output)?.[1], 3000, 20)
      ensure(logged === address, `after a PROXY ${version} header for ${address}, the access log's %(h)s was ${logged ?? 'missing'}`)
    }
    await expectClient(gu, '/no-header', [], '127.0.0.1', 'http', 'a connection without a PROXY header')
  },
}

const proxyRefused: Check = {
  group,
  name: '--proxy-protocol: a PROXY header from a peer not in --proxy-allow-from is refused (403), plain HTTP from it is served',
  timeoutMs: 40_000,
  async run(ctx: CheckContext) {
    const gu = await startWithProxyProtocol(ctx, ['--proxy-allow-from', '10.0.0.0/8'])
    if (!gu) return
    const spoofed = await sendRaw(gu, Buffer.from('PROXY TCP4 203.0.113.7 127.0.0.1 56324 80\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n'))
    ensure(spoofed.status === 403, `a PROXY header from 127.0.0.1, not allowed, got ${spoofed.status ?? 'no response'}, expected 403`)
    ensure(spoofed.closed, 'after refusing a PROXY header, the connection stayed open')
    await expectClient(gu, '/direct', [], '127.0.0.1', 'http', 'plain HTTP from a peer not allowed to send PROXY headers')
  },
}

export const proxyChecks: readonly Check[] = [trusted, untrusted, proxyProtocol, proxyRefused]
