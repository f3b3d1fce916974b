import { isIP } from 'node:net'
import { proxyTrust } from '../http/forwarded.js'
import { INCOMING } from './fetch-request.js'
import type { NodeRequest, NodeResponse } from './fetch-node-types.js'
import { topics } from './fetch-websocket.js'
import type { UpgradeOptions } from './fetch-websocket-types.js'

/** Bun's `SocketAddress`: what `server.requestIP(request)` answers. */
export interface SocketAddress {
  readonly address: string
  readonly family: 'IPv4' | 'IPv6'
  readonly port: number
}

/** What every engine passes a fetch app as its second argument: Bun's `requestIP`, and more where it has it. */
export interface FetchServer {
  requestIP(request: Request): SocketAddress | null
  /**
   * Bun's: accept this WebSocket handshake (the app's `websocket` handlers then get the socket).
   * False when the request isn't one, or where the app has no `websocket` export.
   */
  upgrade(request: Request, options?: UpgradeOptions): boolean
  /** Bun's: send to every socket subscribed to `topic` in this worker. */
  publish(topic: string, data: string | ArrayBufferView | ArrayBuffer, compress?: boolean): number
}

/**
 * The second argument of the fetch handler, in the shapes fetch frameworks already read:
 * `@hono/node-server`'s `env` (`incoming`, `outgoing`: `getConnInfo` from `@hono/node-server/conninfo`
 * works) and Bun's server (`requestIP(request)`: `getConnInfo` from `hono/bun` works).
 */
export class FetchEnv implements FetchServer {
  readonly incoming: NodeRequest
  readonly outgoing: NodeResponse

  constructor(incoming: NodeRequest, outgoing: NodeResponse) {
    this.incoming = incoming
    this.outgoing = outgoing
  }

  /** Only an upgrade request (served by the app's `websocket` handlers) can be upgraded. */
  upgrade(_request: Request, _options?: UpgradeOptions): boolean {
    return false
  }

  publish(topic: string, data: string | ArrayBufferView | ArrayBuffer, compress?: boolean): number {
    return topics.publish(topic, data, compress)
  }

  /** The client's address: the connection's peer, or whom a trusted proxy forwarded for (null once unknown). */
  requestIP(request?: Request): SocketAddress | null {
    const incoming = (request as { [INCOMING]?: NodeRequest } | undefined)?.[INCOMING] ?? this.incoming
    const socket = incoming.socket as { remoteAddress?: string; remoteFamily?: string; remotePort?: number } | undefined
    const peer = socket?.remoteAddress
    const address = proxyTrust()?.clientAddress(incoming.headers, peer) ?? peer
    if (!address) return null
    // A forwarded client's port is not known.
    if (address !== peer) return { address, family: isIP(address) === 6 ? 'IPv6' : 'IPv4', port: 0 }
    return { address, family: socket!.remoteFamily === 'IPv6' ? 'IPv6' : 'IPv4', port: socket!.remotePort ?? 0 }
  }
}
