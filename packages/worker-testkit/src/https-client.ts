// HTTPS requests for the tls group: each bounded in time, reporting what the handshake gave.
import https from 'node:https'
import type { SecureVersion, TLSSocket } from 'node:tls'

export interface HttpsOptions {
  /** The authority to trust: the kit's CA. */
  readonly ca: string
  /** A client certificate to present. */
  readonly cert?: string
  readonly key?: string
  readonly minVersion?: SecureVersion
  readonly maxVersion?: SecureVersion
  readonly ciphers?: string
  /** A keep-alive agent to reuse a connection; a fresh connection by default. */
  readonly agent?: https.Agent
  readonly timeoutMs?: number
}

export interface HttpsResponse {
  readonly status: number
  readonly text: string
  readonly headers: Record<string, string | string[] | undefined>
  /** SHA-256 fingerprint of the certificate the server presented. */
  readonly fingerprint: string
  readonly cipher: string
  readonly protocol: string | null
  /** The connection had served an earlier request (a kept-alive agent's socket). */
  readonly reused: boolean
}

export function httpsGet(port: number, path: string, options: HttpsOptions): Promise<HttpsResponse> {
  return new Promise((resolve, reject) => {
    const { ca, cert, key, minVersion, maxVersion, ciphers } = options
    const tlsOptions = { ca, ...(cert ? { cert, key } : {}), ...(minVersion ? { minVersion } : {}), ...(maxVersion ? { maxVersion } : {}), ...(ciphers ? { ciphers } : {}) }
    const req = https.request({ host: '127.0.0.1', port, path, agent: options.agent ?? false, ...tlsOptions }, (res) => {
      // Read now: a response that closes its connection (sync) leaves nothing to ask at its end.
      const socket = res.socket as TLSSocket
      const seen = { fingerprint: socket.getPeerCertificate()?.fingerprint256 ?? '', cipher: socket.getCipher()?.name ?? '', protocol: socket.getProtocol() }
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString('utf8'), headers: res.headers, ...seen, reused: req.reusedSocket })
      })
      res.on('error', reject)
    })
    const timeoutMs = options.timeoutMs ?? 10_000
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no complete response within ${timeoutMs / 1000}s`)))
    req.on('error', reject)
    req.end()
  })
}

/** The request's outcome: the response, or the error that ended it (a refused handshake). */
export function httpsOutcome(port: number, path: string, options: HttpsOptions): Promise<HttpsResponse | Error> {
  return httpsGet(port, path, options).catch((error: Error) => error)
}
