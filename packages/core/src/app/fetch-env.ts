import { isIP } from 'node:net'
import { proxyTrust } from '../http/forwarded.js'
import { INCOMING } from './fetch-request.js'
import type { NodeRequest, NodeResponse } from './fetch-node-types.js'

/** Bun's `SocketAddress`: what `server.requestIP(request)` answers. */
export interface SocketAddress {
  readonly address: string
  readonly family: 'IPv4' | 'IPv6'
  readonly port: number
}

/** What every engine passes a fetch app as its second argument: Bun's `requestIP`, and more where it has it. */
export interface FetchServer {
  requestIP(request: Request): SocketAddress | null
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
