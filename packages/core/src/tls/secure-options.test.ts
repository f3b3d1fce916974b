import { describe, expect, it } from 'vitest'
import { clientCertMode, refuseUnverified, serverOptions } from './secure-options.js'

const material = { cert: 'CERT', key: 'KEY', ca: 'CA' }
const settings = { keyPassphrase: null, ciphers: null, tlsMinVersion: 'TLSv1.2' as const }

describe('clientCertMode', () => {
  it("reads Gunicorn's numbers and the names alike", () => {
    expect(['0', '1', '2', 'none', 'optional', 'required'].map((v) => clientCertMode(v as never))).toEqual(['none', 'optional', 'required', 'none', 'optional', 'required'])
  })
})

describe('serverOptions', () => {
  it('asks for a client certificate under optional and required, and lets node refuse only under required', () => {
    const at = (certReqs: '0' | '1' | '2') => serverOptions(material, { ...settings, certReqs })
    expect([at('0').requestCert, at('0').rejectUnauthorized]).toEqual([false, false])
    expect([at('1').requestCert, at('1').rejectUnauthorized]).toEqual([true, false])
    expect([at('2').requestCert, at('2').rejectUnauthorized]).toEqual([true, true])
    expect(at('0')).toMatchObject({ minVersion: 'TLSv1.2', ALPNProtocols: ['http/1.1'] })
  })
})

describe('refuseUnverified', () => {
  const socket = (authorized: boolean, peer: object) => ({ authorized, getPeerCertificate: () => peer })
  it('under optional, refuses a certificate its CA did not sign, and serves a client that sent none', () => {
    expect(refuseUnverified('optional', socket(false, { subject: {} }))).toBe(true)
    expect(refuseUnverified('optional', socket(false, {}))).toBe(false)
    expect(refuseUnverified('optional', socket(true, { subject: {} }))).toBe(false)
    expect(refuseUnverified('required', socket(false, { subject: {} }))).toBe(false)
  })
})
