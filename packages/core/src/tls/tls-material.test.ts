import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Logger } from '../log/logger.js'
import { readTlsMaterial, rereadTlsMaterial } from './tls-material.js'

let dir: string
const path = (name: string) => join(dir, name)
const settings = (overrides: Partial<Parameters<typeof readTlsMaterial>[0]> = {}) => ({
  certfile: path('a.pem'), keyfile: path('a.key'), keyPassphrase: null, caCerts: null, certReqs: 'none' as const, ciphers: null, tlsMinVersion: 'TLSv1.2' as const, ...overrides,
})

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gu-tls-material-'))
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1']
  for (const name of ['a', 'b']) execFileSync('openssl', ['req', '-x509', ...ec, '-nodes', '-keyout', path(`${name}.key`), '-out', path(`${name}.pem`), '-days', '2', '-subj', `/CN=${name}`], { stdio: 'ignore' })
  execFileSync('openssl', ['pkey', '-in', path('a.key'), '-aes256', '-passout', 'pass:sekret', '-out', path('a-encrypted.key')], { stdio: 'ignore' })
  writeFileSync(path('both.pem'), readFileSync(path('a.pem'), 'utf8') + readFileSync(path('a.key'), 'utf8'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('readTlsMaterial', () => {
  it('reads the certificate, the key, and the key from the certificate file when no keyfile is given', () => {
    expect(readTlsMaterial(settings())?.cert).toContain('BEGIN CERTIFICATE')
    expect(readTlsMaterial(settings({ certfile: path('both.pem'), keyfile: null }))?.key).toContain('PRIVATE KEY')
    expect(readTlsMaterial(settings({ certfile: null, keyfile: null }))).toBeUndefined()
  })

  it('says in one line which file is wrong and how', () => {
    expect(() => readTlsMaterial(settings({ certfile: path('nope.pem') }))).toThrow(`--certfile ${path('nope.pem')}: cannot read it (no such file)`)
    expect(() => readTlsMaterial(settings({ keyfile: path('b.key') }))).toThrow(/--keyfile .*b\.key is not the key of --certfile/)
    expect(() => readTlsMaterial(settings({ certfile: path('a.key') }))).toThrow(/--certfile .*a\.key: not a PEM certificate/)
    expect(() => readTlsMaterial(settings({ keyfile: path('a-encrypted.key') }))).toThrow(/--key-passphrase is wrong or not set/)
    expect(readTlsMaterial(settings({ keyfile: path('a-encrypted.key'), keyPassphrase: 'sekret' }))).toBeDefined()
    expect(() => readTlsMaterial(settings({ ciphers: 'NOT-A-CIPHER' }))).toThrow("--ciphers 'NOT-A-CIPHER' matches no cipher")
    expect(() => readTlsMaterial(settings({ certReqs: '2' }))).toThrow('--cert-reqs 2 checks client certificates against --ca-certs, which is not set')
    expect(() => readTlsMaterial(settings({ certfile: null }))).toThrow('--keyfile is set but --certfile is not')
  })
})

describe('rereadTlsMaterial', () => {
  const lines: string[] = []
  const log = { error: (line: string) => lines.push(line), info: () => {} } as unknown as Logger

  it('keeps the certificate in use when the new files do not load, saying why in one line', () => {
    const current = readTlsMaterial(settings())
    expect(rereadTlsMaterial(settings({ certfile: path('nope.pem') }), current, log)).toBe(current)
    expect(lines).toEqual([`TLS reload failed, keeping the certificate in use: --certfile ${path('nope.pem')}: cannot read it (no such file)`])
    expect(rereadTlsMaterial(settings({ certfile: path('b.pem'), keyfile: path('b.key') }), current, log)?.cert).toBe(readFileSync(path('b.pem'), 'utf8'))
  })

  it('fails the reload when TLS is being turned on with files that do not load', () => {
    expect(() => rereadTlsMaterial(settings({ certfile: path('nope.pem') }), undefined, log)).toThrow('cannot read it')
  })
})
