// The TLS settings, Gunicorn's names and meaning (its --ssl-version is deprecated there and not
// taken here: --tls-min-version says the same thing clearly). Spread into the catalog.
import { setting } from './spec.js'

/** Gunicorn's numbers for `--cert-reqs` (Python's ssl.CERT_*) and the names that mean the same. */
export const CERT_REQS = ['none', 'optional', 'required', '0', '1', '2'] as const

export const TLS_SETTINGS = [
  setting({
    key: 'certfile', section: 'TLS', flags: ['--certfile'], meta: 'FILE', kind: 'string', nullable: true, default: () => null,
    description: 'Serve HTTPS with this PEM certificate (chain: the server\'s certificate first, then its intermediates). The arbiter reads and checks it (with the key) at start and on every HUP, and hands workers the bytes: a HUP after replacing the files serves the new certificate from the new workers while the old ones finish their connections, and a certificate that won\'t load keeps the one in use, with a log line saying why. On `sync`, `async`, `threads` and `uws`; a worker class that can\'t serve TLS refuses to start.',
  }),
  setting({
    key: 'keyfile', section: 'TLS', flags: ['--keyfile'], meta: 'FILE', kind: 'string', nullable: true, default: () => null,
    description: 'The PEM private key of `certfile`. Unset: the key is read from `certfile` (one PEM file holding both), as Gunicorn does.',
  }),
  setting({
    key: 'keyPassphrase', section: 'TLS', flags: ['--key-passphrase'], meta: 'PASSPHRASE', kind: 'string', nullable: true,
    default: (env) => env.GU_KEY_PASSPHRASE ?? null, defaultDoc: '`$GU_KEY_PASSPHRASE`, or none',
    description: 'The passphrase of an encrypted `keyfile`. Prefer the environment variable (or a config file) to the flag, which other users can see in `ps`.',
  }),
  setting({
    key: 'caCerts', section: 'TLS', flags: ['--ca-certs'], meta: 'FILE', kind: 'string', nullable: true, default: () => null,
    description: 'PEM certificates of the authorities whose client certificates are accepted (`certReqs`). Read and reloaded with `certfile`.',
  }),
  setting({
    key: 'certReqs', section: 'TLS', flags: ['--cert-reqs'], meta: 'MODE', kind: 'choice', choices: CERT_REQS, default: () => 'none',
    description: 'Whether clients must present a certificate, as Gunicorn\'s `cert_reqs`: `0`/`none` asks for none; `1`/`optional` asks, and refuses a certificate not signed by `caCerts` but serves clients without one; `2`/`required` refuses clients without a certificate signed by `caCerts`. `optional` and `required` need `caCerts`.',
  }),
  setting({
    key: 'ciphers', section: 'TLS', flags: ['--ciphers'], meta: 'CIPHERS', kind: 'string', nullable: true, default: () => null, defaultDoc: 'Node\'s default list',
    description: 'The TLS 1.2 cipher suites offered, in OpenSSL\'s cipher-list format (`ECDHE+AESGCM:!aNULL`). TLS 1.3\'s suites stay OpenSSL\'s defaults unless the list names some (`TLS_AES_256_GCM_SHA384`), which the node:http classes honour and `uws` does not (uWebSockets.js applies the list to TLS 1.2 and older). A list that matches no cipher is refused at start.',
  }),
  setting({
    key: 'tlsMinVersion', section: 'TLS', flags: ['--tls-min-version'], meta: 'VERSION', kind: 'choice', choices: ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'], default: () => 'TLSv1.2',
    description: 'The oldest TLS version a client may speak; older clients are refused during the handshake. Replaces Gunicorn\'s deprecated `ssl_version`. `uws` is fixed at `TLSv1.2` by uWebSockets.js and refuses to start with another value.',
  }),
] as const
