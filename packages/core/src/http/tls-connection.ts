// HTTPS on a node:http server: each accepted connection goes through a node:tls server (never
// listening itself) for its handshake, and what comes out encrypted reaches node:http's own
// connection handling. Installed by applyRequestRules before the PROXY protocol reader, so a
// PROXY header is read in the clear ahead of the handshake, as balancers send it.
import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import { Server as TlsServer, type TLSSocket } from 'node:tls'
import type { PlainSettings } from '../settings/types.js'
import { clientCertMode, refuseUnverified, serverOptions } from '../tls/secure-options.js'
import type { WorkerRuntime } from '../worker/types.js'
import { encryptedConnection, encryptingConnection } from './connection-guard.js'

/** The client a PROXY header named (own properties on the accepted socket) is the TLS socket's too. */
function carryPeer(plain: Socket, secure: TLSSocket): void {
  for (const key of ['remoteAddress', 'remotePort', 'remoteFamily'] as const) {
    if (Object.hasOwn(plain, key)) Object.defineProperty(secure, key, { value: plain[key], configurable: true })
  }
}

/**
 * Call once every other 'connection' layer is installed (the PROXY header reader): from its accept,
 * a TLS connection is never answered in the clear, even while a PROXY header is still awaited.
 */
export function neverAnswerInTheClear(server: Server, worker: Pick<WorkerRuntime, 'tls'>): void {
  if (worker.tls) server.prependListener('connection', encryptingConnection)
}

/** The accepted connection under each encrypted one, for engines that keep track of what they accepted. */
const plainOf = new WeakMap<object, Socket>()

/** The connection a request's socket came in on: the accepted one under TLS, else the socket itself. */
export function acceptedSocket(socket: object): object {
  return plainOf.get(socket) ?? socket
}

export function serveTls(server: Server, worker: Pick<WorkerRuntime, 'settings' | 'tls' | 'log'>): void {
  const material = worker.tls
  if (!material) return
  const settings = worker.settings as PlainSettings
  const mode = clientCertMode(settings.certReqs)
  const handshakes = new TlsServer(serverOptions(material, settings))
  const later = server.listeners('connection') as Array<(socket: Socket) => void>
  server.removeAllListeners('connection')
  server.on('connection', (socket: Socket) => handshakes.emit('connection', socket))
  handshakes.on('secureConnection', (secure: TLSSocket) => {
    const plain = (secure as TLSSocket & { _parent?: Socket })._parent
    if (refuseUnverified(mode, secure)) {
      worker.log.debug(`Refused a client certificate from ${secure.remoteAddress}: ${secure.authorizationError}`)
      return void secure.destroy()
    }
    if (plain) {
      plainOf.set(secure, plain)
      encryptedConnection(plain, secure)
      carryPeer(plain, secure)
    }
    for (const listener of later) listener.call(server, secure)
  })
  // A failed handshake (no certificate where one is required, a refused version or cipher): the
  // client has been told by the TLS alert; nothing for the log above debug.
  handshakes.on('tlsClientError', (error: Error, socket: TLSSocket) => {
    worker.log.debug(`TLS handshake with ${socket.remoteAddress ?? 'a client'} failed: ${error.message}`)
    socket.destroy()
  })
}
