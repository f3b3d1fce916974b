// Reads and checks the TLS files, in the arbiter: at start (and --check-config) and on HUP.
// Workers get the bytes read here, so a file changed between a HUP and a worker's boot can't
// put an unchecked certificate into service.
import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createSecureContext } from 'node:tls'
import type { Logger } from '../log/logger.js'
import { UsageError } from '../settings/errors.js'
import type { PlainSettings } from '../settings/types.js'
import type { TlsMaterial } from '../worker/types.js'
import { clientCertMode, contextOptions } from './secure-options.js'

type TlsSettings = Pick<PlainSettings, 'certfile' | 'keyfile' | 'keyPassphrase' | 'caCerts' | 'certReqs' | 'ciphers' | 'tlsMinVersion'>

/** The PEM text the settings name, checked as one secure context; undefined without `certfile`. Throws a one-line UsageError. */
export function readTlsMaterial(settings: TlsSettings): TlsMaterial | undefined {
  const { certfile, keyfile, caCerts } = settings
  if (certfile === null) {
    const orphan = keyfile !== null ? '--keyfile' : caCerts !== null ? '--ca-certs' : undefined
    if (orphan) throw new UsageError(`${orphan} is set but --certfile is not: TLS needs a certificate (set --certfile, or drop ${orphan})`)
    return undefined
  }
  if (clientCertMode(settings.certReqs) !== 'none' && caCerts === null) {
    throw new UsageError(`--cert-reqs ${settings.certReqs} checks client certificates against --ca-certs, which is not set`)
  }
  const cert = readPem('--certfile', certfile)
  const key = keyfile === null ? cert : readPem('--keyfile', keyfile)
  const ca = caCerts === null ? undefined : readPem('--ca-certs', caCerts)
  const material: TlsMaterial = { cert, key, ...(ca !== undefined ? { ca } : {}) }
  check('--certfile', certfile, 'a PEM certificate', () => new X509Certificate(cert))
  if (ca !== undefined) check('--ca-certs', caCerts!, 'PEM certificates', () => new X509Certificate(ca))
  const keyFlag = keyfile === null ? '--certfile' : '--keyfile'
  check(keyFlag, keyfile ?? certfile, 'a PEM private key', () => createSecureContext({ key, ...(settings.keyPassphrase !== null ? { passphrase: settings.keyPassphrase } : {}) }))
  try {
    createSecureContext(contextOptions(material, settings))
  } catch (error) {
    throw new UsageError(contextError(error as Error, settings))
  }
  return material
}

/**
 * On HUP: the certificate for the next generation, read anew so that rotating it needs only a
 * HUP. Files that won't load keep `current` (one line says which file and why); with none in use
 * yet (TLS turned on by this reload), the error goes on and the reload fails: never plain HTTP
 * where HTTPS was asked for.
 */
export function rereadTlsMaterial(settings: TlsSettings, current: TlsMaterial | undefined, log: Logger): TlsMaterial | undefined {
  try {
    const material = readTlsMaterial(settings)
    if (material) log.info(describeCertificate(material, settings))
    return material
  } catch (error) {
    if (!current || !(error instanceof UsageError)) throw error
    log.error(`TLS reload failed, keeping the certificate in use: ${error.message}`)
    return current
  }
}

/** What the log says of the certificate served: its subject, its expiry and where it came from. */
export function describeCertificate(material: TlsMaterial, settings: Pick<PlainSettings, 'certfile'>): string {
  const cert = new X509Certificate(material.cert)
  const subject = cert.subject.replace(/\n/g, ', ')
  return `Serving HTTPS with ${subject} (valid until ${new Date(cert.validTo).toISOString()}) from --certfile ${settings.certfile}`
}

function readPem(flag: string, path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message
    throw new UsageError(`${flag} ${path}: cannot read it (${why})`)
  }
}

function check(flag: string, path: string, expected: string, load: () => unknown): void {
  try {
    load()
  } catch (error) {
    throw new UsageError(`${flag} ${path}: ${describe(error as Error, expected)}`)
  }
}

/** What a failing full context means, now that each file loaded on its own. */
function contextError(error: Error, settings: TlsSettings): string {
  const message = error.message
  if (/key values mismatch/i.test(message)) return `--keyfile ${settings.keyfile ?? settings.certfile} is not the key of --certfile ${settings.certfile} (the key values mismatch)`
  if (/no cipher match|cipher/i.test(message) && settings.ciphers !== null) return `--ciphers '${settings.ciphers}' matches no cipher this OpenSSL offers`
  return `TLS settings (--certfile ${settings.certfile}): ${describe(error, 'usable TLS settings')}`
}

function describe(error: Error, expected: string): string {
  const message = error.message.replace(/^error:[0-9A-F]+:/i, '')
  if (/bad decrypt|bad password|interrupted or cancelled|maybe wrong password/i.test(message)) return 'the key is encrypted and --key-passphrase is wrong or not set'
  if (/no start line|unsupported|decoder routines|wrong tag|not enough data/i.test(message)) return `not ${expected} (${message})`
  return message
}
