// Certificates the tls group makes for itself with openssl (P-256 keys: fast to make), once per
// run: two authorities, two server certificates for 127.0.0.1 (for rotation), a client
// certificate from each authority.
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface KeyPair {
  readonly cert: string
  readonly key: string
}

export interface CertificateSet {
  /** The authority that signed `serverA`, `serverB` and `client`. */
  readonly ca: string
  readonly serverA: KeyPair
  readonly serverB: KeyPair
  readonly client: KeyPair
  /** Signed by another authority: refused wherever `ca` decides. */
  readonly strangerClient: KeyPair
}

let made: Promise<CertificateSet> | undefined

/** The run's certificates; rejects with what to install when openssl is missing. */
export function certificates(): Promise<CertificateSet> {
  return (made ??= makeAll())
}

async function makeAll(): Promise<CertificateSet> {
  const dir = mkdtempSync(join(tmpdir(), 'gu-testkit-certs-'))
  try {
    return await makeIn(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

async function makeIn(dir: string): Promise<CertificateSet> {
  const openssl = async (...args: string[]) => {
    try {
      await run('openssl', args, { cwd: dir, timeout: 20_000 })
    } catch (error) {
      const e = error as NodeJS.ErrnoException & { stderr?: string }
      if (e.code === 'ENOENT') throw new Error('the tls group makes its certificates with openssl, which is not on PATH: install openssl (apt-get install openssl), or skip the group')
      throw new Error(`openssl ${args[0]} failed: ${(e.stderr ?? e.message).trim().split('\n')[0]}`)
    }
  }
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n')
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n')
  const authority = (name: string) => openssl('req', '-x509', ...ec, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '7', '-subj', `/CN=gu testkit ${name}`)
  const signed = async (name: string, by: string, ext: string) => {
    await openssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=gu testkit ${name}`)
    await openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${by}.pem`, '-CAkey', `${by}.key`, '-set_serial', `0x${Date.now().toString(16)}${name.length}`, '-days', '7', '-out', `${name}.pem`, '-extfile', ext)
  }
  await Promise.all([authority('ca'), authority('stranger-ca')])
  await Promise.all([signed('server-a', 'ca', 'server.ext'), signed('server-b', 'ca', 'server.ext'), signed('client', 'ca', 'client.ext'), signed('stranger', 'stranger-ca', 'client.ext')])
  const pair = (name: string): KeyPair => ({ cert: readFileSync(join(dir, `${name}.pem`), 'utf8'), key: readFileSync(join(dir, `${name}.key`), 'utf8') })
  return { ca: readFileSync(join(dir, 'ca.pem'), 'utf8'), serverA: pair('server-a'), serverB: pair('server-b'), client: pair('client'), strangerClient: pair('stranger') }
}
