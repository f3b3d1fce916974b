// Starting gu with the tls group's certificates, and what its checks do to that server: shared
// by the checks in groups/tls.ts.
import { writeFileSync } from 'node:fs'
import { type CertificateSet, certificates, type KeyPair } from './certificates.js'
import { ensure, fail, show } from './ensure.js'
import type { FixtureApp } from './fixtures.js'
import { type GuProcess, lastError } from './gu-process.js'
import { httpsGet, type HttpsOptions } from './https-client.js'
import type { CheckContext } from './types.js'
import { pollUntil } from './wait.js'

export const client = (pair: KeyPair) => ({ cert: pair.cert, key: pair.key })

export interface Served {
  readonly gu: GuProcess
  readonly certs: CertificateSet
  /** Where the server's certificate and key are, to replace them. */
  readonly certfile: string
  readonly keyfile: string
}

/** Writes the server pair and starts gu with it; `refused`: the one line gu exited with, if it refused. */
export async function startTls(ctx: CheckContext, args: readonly string[] = [], app: FixtureApp = 'node'): Promise<Served | { refused: string }> {
  const certs = await certificates()
  const certfile = ctx.file('server.pem', certs.serverA.cert)
  const keyfile = ctx.file('server.key', certs.serverA.key)
  const ca = ctx.file('ca.pem', certs.ca)
  const gu = await ctx.spawn({ app, args: ['--certfile', certfile, '--keyfile', keyfile, '--ca-certs', ca, ...args] })
  const pids = await gu.waitForWorkers(1, 15_000)
  if (!pids) {
    if (gu.exit) {
      const line = gu.output.split('\n').find((l) => l.startsWith('gu: error:'))
      if (gu.exit.code === 1 && line) return { refused: line }
      return fail(`gu exited with code ${gu.exit.code} before its worker booted${lastError(gu)}`)
    }
    return fail(`the worker did not boot within 15s${lastError(gu)}`)
  }
  // With the kit's client certificate: whatever --cert-reqs says, this request is served.
  const answered = await pollUntil(() => httpsGet(gu.port, '/pid', { ca: certs.ca, ...client(certs.client), timeoutMs: 2000 }).then(() => true, () => false), 10_000, 50)
  ensure(answered, () => `no HTTPS request was answered within 10s of the worker booting${lastError(gu)}`)
  return { gu, certs, certfile, keyfile }
}

/** `startTls` for settings every TLS class must honour. */
export async function serve(ctx: CheckContext, args: readonly string[] = [], app: FixtureApp = 'node'): Promise<Served> {
  const served = await startTls(ctx, args, app)
  if ('refused' in served) return fail(`gu refused to start with ${args.join(' ') || 'a certificate and key'}: ${show(served.refused, 200)}`)
  return served
}

/** A refusal at start must name the setting it can't honour, in one line. */
export function ensureClearRefusal(refused: string, flag: string): void {
  ensure(refused.includes(flag) && !refused.includes('\n'), `gu refused to start, but its line doesn't name ${flag}: ${show(refused, 200)}`)
}

/** The fingerprint of the certificate a new connection is served. */
export async function fingerprintOf(served: Served, options: HttpsOptions): Promise<string> {
  return (await httpsGet(served.gu.port, '/pid', options)).fingerprint
}

/** Replaces the served certificate and key, and sends HUP. */
export function rotate(served: Served, pair: KeyPair | { cert: string; key: string }): void {
  writeFileSync(served.certfile, pair.cert)
  writeFileSync(served.keyfile, pair.key)
  served.gu.signal('SIGHUP')
}

/** Polls new connections until one presents `fingerprint`. */
export async function untilServed(served: Served, fingerprint: string, what: string): Promise<void> {
  const seen = await pollUntil(() => fingerprintOf(served, { ca: served.certs.ca, timeoutMs: 2000 }).then((f) => f === fingerprint, () => false), 15_000, 100)
  ensure(seen, () => `${what} was not served to new connections within 15s of the HUP${lastError(served.gu)}`)
}
