// tls: HTTPS with --certfile and friends, on classes that declare `tls`; a clear refusal at start
// on those that don't. Certificates are made for the run (certificates.ts).
import { X509Certificate } from 'node:crypto'
import { Agent } from 'node:https'
import { connect as connectTcp } from 'node:net'
import { certificates } from '../certificates.js'
import { ensure, show } from '../ensure.js'
import type { FixtureApp } from '../fixtures.js'
import { lastError } from '../gu-process.js'
import { httpsGet, httpsOutcome } from '../https-client.js'
import { request } from '../http-client.js'
import { client, ensureClearRefusal, fingerprintOf, rotate, serve, startTls, untilServed } from '../tls-serve.js'
import { tlsWrite, untilClosed } from '../tls-sockets.js'
import type { Check, CheckContext } from '../types.js'
import { describeError, pollUntil, sleep } from '../wait.js'

const group = 'tls'
const handshakeRefused = (outcome: Awaited<ReturnType<typeof httpsOutcome>>) => outcome instanceof Error

async function schemeSeen(ctx: CheckContext, app: FixtureApp): Promise<void> {
  const { gu, certs } = await serve(ctx, ['--access-logfile', '-', '--access-logformat', 'tls-scheme %(U)s %({wsgi.url_scheme}e)s'], app)
  const res = await httpsGet(gu.port, '/scheme', { ca: certs.ca })
  ensure(res.status === 200, `GET /scheme over HTTPS got ${res.status}, expected 200`)
  const want = 'https'
  ensure(res.text === want, `the ${app} app saw the scheme ${show(res.text)} on an HTTPS request, expected ${want} (${app === 'node' ? 'req.socket.encrypted' : 'Request.url'})`)
  const logged = await pollUntil(() => /tls-scheme \/scheme (\S+)/.exec(gu.output)?.[1], 3000, 20)
  ensure(logged === 'https', `the access log's %({wsgi.url_scheme}e)s was ${show(logged ?? '(no line within 3s)')}, expected https`)
  // The same port in the clear: never served as if it were HTTPS.
  const plain = await request(`${gu.url}/scheme`, { timeoutMs: 3000 }).catch((error: Error) => error)
  ensure(plain instanceof Error || plain.status >= 400, () => `a plain-HTTP request to the HTTPS port was answered ${(plain as { status: number }).status}`)
}

async function clientCertificates(ctx: CheckContext, mode: 'required' | 'optional'): Promise<void> {
  const served = await startTls(ctx, ['--cert-reqs', mode === 'required' ? '2' : '1'])
  if ('refused' in served) return ensureClearRefusal(served.refused, '--cert-reqs')
  const { gu, certs } = served
  const none = await httpsOutcome(gu.port, '/pid', { ca: certs.ca })
  if (mode === 'required') ensure(handshakeRefused(none) || none.status >= 400, 'with --cert-reqs 2 a client without a certificate was served')
  else ensure(!handshakeRefused(none) && none.status === 200, () => `with --cert-reqs 1 a client without a certificate was refused: ${describeError(none as Error)}`)
  const known = await httpsOutcome(gu.port, '/pid', { ca: certs.ca, ...client(certs.client) })
  ensure(!handshakeRefused(known) && known.status === 200, () => `a client certificate signed by --ca-certs was refused: ${known instanceof Error ? describeError(known) : `status ${known.status}`}`)
  const stranger = await httpsOutcome(gu.port, '/pid', { ca: certs.ca, ...client(certs.strangerClient) })
  ensure(handshakeRefused(stranger) || stranger.status >= 400, `with --cert-reqs ${mode} a client certificate from another authority was served`)
}

export const tlsChecks: readonly Check[] = [
  {
    group,
    name: 'HTTPS is served, and the node app and the access log see the scheme https',
    timeoutMs: 40_000,
    tls: 'serves',
    run: (ctx) => schemeSeen(ctx, 'node'),
  },
  {
    group,
    name: "a fetch app's Request.url is https:// on HTTPS",
    timeoutMs: 40_000,
    tls: 'serves',
    run: (ctx) => schemeSeen(ctx, 'fetch'),
  },
  {
    group,
    name: '--cert-reqs 2 refuses clients without a certificate from --ca-certs (or refuses to start, naming it)',
    timeoutMs: 40_000,
    tls: 'serves',
    run: (ctx) => clientCertificates(ctx, 'required'),
  },
  {
    group,
    name: '--cert-reqs 1 serves clients without a certificate and refuses one from another authority (or refuses to start, naming it)',
    timeoutMs: 40_000,
    tls: 'serves',
    run: (ctx) => clientCertificates(ctx, 'optional'),
  },
  {
    group,
    name: 'the minimum TLS version holds: a TLSv1.1 client is refused by default, a TLSv1.2 one under --tls-min-version TLSv1.3',
    timeoutMs: 40_000,
    tls: 'serves',
    async run(ctx) {
      const { gu, certs } = await serve(ctx)
      const old = await httpsOutcome(gu.port, '/pid', { ca: certs.ca, minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' })
      ensure(handshakeRefused(old), 'a client speaking only TLSv1.1 was served under the default --tls-min-version TLSv1.2')
      const tls12 = await httpsOutcome(gu.port, '/pid', { ca: certs.ca, maxVersion: 'TLSv1.2' })
      ensure(!handshakeRefused(tls12), () => `a TLSv1.2 client was refused under the default --tls-min-version: ${describeError(tls12 as Error)}`)
      gu.kill()
      const strict = await startTls(ctx, ['--tls-min-version', 'TLSv1.3'])
      if ('refused' in strict) return ensureClearRefusal(strict.refused, '--tls-min-version')
      const refused = await httpsOutcome(strict.gu.port, '/pid', { ca: certs.ca, maxVersion: 'TLSv1.2' })
      ensure(handshakeRefused(refused), 'a client speaking at most TLSv1.2 was served under --tls-min-version TLSv1.3')
    },
  },
  {
    group,
    name: '--ciphers limits the TLSv1.2 cipher suites offered',
    timeoutMs: 40_000,
    tls: 'serves',
    async run(ctx) {
      const allowed = 'ECDHE-ECDSA-AES128-GCM-SHA256'
      const { gu, certs } = await serve(ctx, ['--ciphers', allowed])
      const other = await httpsOutcome(gu.port, '/pid', { ca: certs.ca, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384' })
      ensure(handshakeRefused(other), () => `a TLSv1.2 client offering only ECDHE-ECDSA-AES256-GCM-SHA384 was served with ${(other as { cipher: string }).cipher} under --ciphers ${allowed}`)
      const res = await httpsOutcome(gu.port, '/pid', { ca: certs.ca, maxVersion: 'TLSv1.2' })
      ensure(!handshakeRefused(res), () => `a TLSv1.2 client was refused under --ciphers ${allowed}: ${describeError(res as Error)}`)
      ensure(res.cipher === allowed, `the connection used ${res.cipher}, not the one --ciphers allows (${allowed})`)
    },
  },
  {
    group,
    name: 'HUP serves a new certificate and key, keeps open connections working, and keeps the old one when the new files are broken',
    timeoutMs: 60_000,
    tls: 'serves',
    async run(ctx) {
      const served = await serve(ctx, ['--keep-alive', '10'])
      const { gu, certs } = served
      const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: certs.ca })
      try {
        const first = await httpsGet(gu.port, '/pid', { ca: certs.ca, agent })
        const keptAlive = first.headers.connection !== 'close'
        // A class that closes every connection after its response (sync) shows the same with a request in flight.
        const inFlight = keptAlive ? undefined : httpsOutcome(gu.port, '/slow?ms=1500', { ca: certs.ca })
        await sleep(200)
        rotate(served, certs.serverB)
        const booted = await pollUntil(() => gu.bootedPids().length >= 2, 15_000)
        ensure(booted, () => `no new worker booted within 15s of the HUP${lastError(gu)}`)
        if (keptAlive) {
          const again = await httpsOutcome(gu.port, '/pid', { ca: certs.ca, agent })
          ensure(!handshakeRefused(again) && again.status === 200, () => `a kept-alive HTTPS connection opened before the HUP failed after it: ${again instanceof Error ? describeError(again) : `status ${again.status}`}`)
          ensure(again.reused, 'the request after the HUP did not go on the connection kept alive from before it')
        } else {
          const slow = await inFlight!
          ensure(!handshakeRefused(slow) && slow.status === 200, () => `an HTTPS request in flight across the HUP failed: ${slow instanceof Error ? describeError(slow) : `status ${slow.status}`}`)
        }
        const fingerprintB = new X509Certificate(certs.serverB.cert).fingerprint256
        ensure(first.fingerprint === new X509Certificate(certs.serverA.cert).fingerprint256, 'the first connection was not served the --certfile gu started with')
        await untilServed(served, fingerprintB, 'the new certificate')
        // A broken certificate: the reload goes on with the one in use, and one line says why.
        rotate(served, { cert: 'not a certificate\n', key: certs.serverB.key })
        const line = await gu.waitForLog(/TLS reload failed, keeping the certificate in use: ([^\n]*)/, 15_000)
        ensure(line, () => `no 'TLS reload failed, keeping the certificate in use' line within 15s of a HUP with a broken --certfile${lastError(gu)}`)
        ensure(line[1]!.includes(served.certfile), `the reload failure line doesn't name the file: ${show(line[0], 200)}`)
        await sleep(500)
        const still = await fingerprintOf(served, { ca: certs.ca })
        ensure(still === fingerprintB, 'after a HUP with a broken --certfile, new connections no longer get the certificate in use')
      } finally {
        agent.destroy()
      }
    },
  },
  {
    group,
    name: 'a slow TLS client gets its 408 over TLS, and a connection that never starts its handshake is never answered in the clear',
    timeoutMs: 40_000,
    tls: 'serves',
    async run(ctx) {
      const { gu, certs } = await serve(ctx, ['--header-timeout', '1'])
      const half = await untilClosed(tlsWrite(gu.port, certs.ca, 'GET /pid HTTP/1.1\r\nHost: 127.0.0.1\r\n'), 15_000)
      ensure(half !== undefined, 'a TLS client that sent half a request head was not closed within 15s of --header-timeout 1')
      ensure(half.startsWith('HTTP/1.1 408'), `a TLS client that sent half a request head got ${show(half)} before the close, expected a 408`)
      const silent = await untilClosed(connectTcp(gu.port, '127.0.0.1'), 15_000)
      ensure(silent !== undefined, 'a connection that sent nothing was not closed within 15s of --header-timeout 1')
      ensure(silent === '', `a connection that never started its TLS handshake was sent ${show(silent)} in the clear`)
    },
  },
  {
    group,
    name: '--proxy-protocol reads the PROXY header in the clear, then TLS (or the class refuses the setting at start)',
    timeoutMs: 40_000,
    tls: 'serves',
    async run(ctx) {
      const served = await startTls(ctx, ['--proxy-protocol', '--access-logfile', '-', '--access-logformat', 'tls-proxied %(h)s %(U)s'])
      if ('refused' in served) return ensureClearRefusal(served.refused, '--proxy-protocol')
      const { gu, certs } = served
      const raw = connectTcp(gu.port, '127.0.0.1')
      await new Promise<void>((resolve, reject) => raw.once('connect', resolve).once('error', reject))
      raw.write('PROXY TCP4 203.0.113.7 127.0.0.1 40000 443\r\n')
      const answer = await untilClosed(tlsWrite(gu.port, certs.ca, 'GET /scheme HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n', raw), 10_000)
      ensure(answer?.startsWith('HTTP/1.1 200'), `a PROXY header then TLS got ${show(answer ?? '(nothing within 10s)')}, expected a 200`)
      ensure(answer!.endsWith('https'), `the app saw ${show(answer!.split('\r\n\r\n')[1] ?? '')} behind a PROXY header over TLS, expected https`)
      const logged = await pollUntil(() => /tls-proxied (\S+) \/scheme/.exec(gu.output)?.[1], 3000, 20)
      ensure(logged === '203.0.113.7', `the access log's %(h)s was ${show(logged ?? '(no line within 3s)')}, expected the PROXY header's 203.0.113.7`)
    },
  },
  {
    group,
    name: 'a certificate file that is missing or does not match its key stops the start with one line naming it',
    timeoutMs: 30_000,
    tls: 'serves',
    async run(ctx) {
      const certs = await certificates()
      const missing = ctx.file('missing.pem')
      const gu = await ctx.spawn({ args: ['--certfile', missing, '--keyfile', ctx.file('k.key', certs.serverA.key)] })
      const exit = await gu.waitForExit(15_000)
      ensure(exit?.code === 1, `gu with a missing --certfile exited with ${exit ? exit.code : 'nothing within 15s'}, expected 1`)
      ensure(gu.output.includes(`--certfile ${missing}`), `gu's output doesn't name the missing file: ${show(gu.output.trim(), 200)}`)
      const mismatched = await ctx.spawn({ args: ['--certfile', ctx.file('a.pem', certs.serverA.cert), '--keyfile', ctx.file('b.key', certs.serverB.key)] })
      const exit2 = await mismatched.waitForExit(15_000)
      ensure(exit2?.code === 1, `gu with a key that isn't the certificate's exited with ${exit2 ? exit2.code : 'nothing within 15s'}, expected 1`)
      ensure(/--keyfile .*b\.key/.test(mismatched.output), `gu's output doesn't name the mismatched key: ${show(mismatched.output.trim(), 200)}`)
    },
  },
  {
    group,
    name: 'a class that does not declare tls refuses to start with --certfile, in one line',
    timeoutMs: 30_000,
    tls: 'refuses',
    async run(ctx) {
      const certs = await certificates()
      const gu = await ctx.spawn({ args: ['--certfile', ctx.file('server.pem', certs.serverA.cert), '--keyfile', ctx.file('server.key', certs.serverA.key)] })
      const exit = await gu.waitForExit(15_000)
      ensure(exit?.code === 1, `gu with --certfile on a class without tls exited with ${exit ? exit.code : 'nothing within 15s'}, expected 1 (it must not serve plain HTTP)`)
      const line = gu.output.split('\n').find((l) => l.startsWith('gu: error:'))
      ensure(line && /TLS/.test(line), `gu's refusal doesn't say it can't serve TLS: ${show(gu.output.trim(), 200)}`)
    },
  },
]
