// HTTPS on uWebSockets.js: SSLApp, which reads PEM files itself (uSockets takes file names only).
// The worker serves the bytes the arbiter checked, so they go to a private temporary directory,
// are read by the constructor and removed at once. What uSockets can't be told is refused at start.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { clientCertMode, type Settings, type WorkerRuntime } from '@gu/core'
import type { AppOptions, TemplatedApp } from 'uWebSockets.js'
import type { UwsModule } from './native.js'

/** Throws, with what to change, for TLS settings uSockets can't honour. */
export function checkTlsSettings(settings: Settings): void {
  if (settings.certfile === null) return
  if (clientCertMode(settings.certReqs) === 'required') {
    throw new Error(`--cert-reqs ${settings.certReqs}: uWebSockets.js refuses a client certificate that --ca-certs did not sign but can't refuse a client that sends none; use --cert-reqs optional, or a node:http class (-k async, sync or threads)`)
  }
  if (settings.tlsMinVersion !== 'TLSv1.2') {
    throw new Error(`--tls-min-version ${settings.tlsMinVersion}: uWebSockets.js fixes the oldest TLS version at TLSv1.2 and can't be told another; drop the setting, or use a node:http class (-k async, sync or threads)`)
  }
}

export function sslApp(uws: UwsModule, worker: Pick<WorkerRuntime, 'tls' | 'settings'>): TemplatedApp {
  const material = worker.tls!
  const { settings } = worker
  const dir = mkdtempSync(join(tmpdir(), 'gu-uws-tls-'))
  try {
    const file = (name: string, pem: string) => {
      const path = join(dir, name)
      writeFileSync(path, pem, { mode: 0o600 })
      return path
    }
    const options: AppOptions = {
      cert_file_name: file('cert.pem', material.cert),
      key_file_name: file('key.pem', material.key),
      ...(settings.keyPassphrase !== null ? { passphrase: settings.keyPassphrase } : {}),
      // uSockets asks for client certificates exactly when it has CA certificates to check them with.
      ...(material.ca !== undefined && clientCertMode(settings.certReqs) !== 'none' ? { ca_file_name: file('ca.pem', material.ca) } : {}),
      ...(settings.ciphers !== null ? { ssl_ciphers: settings.ciphers } : {}),
    }
    return uws.SSLApp(options)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
