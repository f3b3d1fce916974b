import type { SecureContextOptions, TlsOptions } from 'node:tls'
import type { PlainSettings } from '../settings/types.js'
import type { TlsMaterial } from '../worker/types.js'

export type ClientCertMode = 'none' | 'optional' | 'required'

/** `--cert-reqs` as Gunicorn's number or its name. */
export function clientCertMode(value: PlainSettings['certReqs']): ClientCertMode {
  if (value === '0') return 'none'
  if (value === '1') return 'optional'
  if (value === '2') return 'required'
  return value
}

type TlsSettings = Pick<PlainSettings, 'keyPassphrase' | 'ciphers' | 'tlsMinVersion' | 'certReqs'>

/** The secure context the settings describe, for `tls.createSecureContext`. */
export function contextOptions(material: TlsMaterial, settings: TlsSettings): SecureContextOptions {
  return {
    cert: material.cert,
    key: material.key,
    ...(settings.keyPassphrase !== null ? { passphrase: settings.keyPassphrase } : {}),
    ...(material.ca !== undefined ? { ca: material.ca } : {}),
    ...(settings.ciphers !== null ? { ciphers: settings.ciphers } : {}),
    minVersion: settings.tlsMinVersion,
  }
}

/**
 * A node:tls server's options. `optional` asks for a certificate without requiring one: node
 * then lets any certificate through, flagged `authorized: false`, and `refuseUnverified` decides.
 */
export function serverOptions(material: TlsMaterial, settings: TlsSettings): TlsOptions {
  const mode = clientCertMode(settings.certReqs)
  return {
    ...contextOptions(material, settings),
    requestCert: mode !== 'none',
    rejectUnauthorized: mode === 'required',
    // gu speaks HTTP/1.1 on these servers: a client offering h2 must not think it got it.
    ALPNProtocols: ['http/1.1'],
  }
}

/** Under `optional`: whether a client's certificate must be refused (it sent one its CA didn't sign). */
export function refuseUnverified(mode: ClientCertMode, socket: { authorized: boolean; getPeerCertificate(): object | null }): boolean {
  if (mode !== 'optional' || socket.authorized) return false
  const peer = socket.getPeerCertificate()
  return peer !== null && Object.keys(peer).length > 0
}
