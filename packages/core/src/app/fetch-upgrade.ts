import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { createRequire } from 'node:module'
import type { WebSocketServer as WsServer } from 'ws'
import type { Logger } from '../log/logger.js'
import { FetchEnv } from './fetch-env.js'
import type { NodeResponse } from './fetch-node-types.js'
import { NodeBackedRequest } from './fetch-request.js'
import { BunSocket } from './fetch-websocket.js'
import type { UpgradeOptions, WebSocketHandler } from './fetch-websocket-types.js'
import type { FetchHandler, UpgradeListener } from './types.js'

const DEFAULT_MAX_PAYLOAD = 16 * 1024 * 1024

/**
 * A fetch app's upgrade requests, the Bun way: the fetch handler gets the request and a server
 * whose `upgrade(request, { data, headers })` accepts it (the app's `websocket` handlers then get
 * the socket); whatever it returns after that is ignored. A handler that doesn't upgrade answers
 * with its Response, as for any request.
 */
export function fetchUpgradeListener(handler: FetchHandler, websocket: WebSocketHandler, log: Logger): UpgradeListener {
  // Loaded only for an app that takes WebSockets: every other worker boots without it.
  const { WebSocketServer } = createRequire(import.meta.url)('ws') as { WebSocketServer: typeof WsServer }
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: websocket.maxPayloadLength ?? DEFAULT_MAX_PAYLOAD,
    perMessageDeflate: websocket.perMessageDeflate ?? false,
  })
  const extraHeaders = new WeakMap<IncomingMessage, string[]>()
  wss.on('headers', (headers: string[], req: IncomingMessage) => {
    const extra = extraHeaders.get(req)
    if (extra) headers.push(...extra)
  })

  return async (req, socket, head) => {
    // The socket stands in for a response: the request's signal aborts when it closes early.
    const request = new NodeBackedRequest(req, socket as unknown as NodeResponse)
    let upgraded = false
    const env = new UpgradeEnv(req, socket, (options) => {
      if (upgraded || !isWebSocketHandshake(req) || socket.destroyed) return false
      upgraded = true
      if (options?.headers) extraHeaders.set(req, headerLines(options.headers))
      // The socket is kept from here: ws runs the WebSocket on this very one, and has no public way back to it.
      wss.handleUpgrade(req, socket, head, (ws) => {
        new BunSocket(ws, socket, options?.data, req.socket.remoteAddress ?? '', websocket, log)
      })
      return true
    })
    const response = await handler(request as unknown as Request, env)
    if (upgraded || socket.destroyed) return
    await writeRawResponse(socket, response)
  }
}

/** The fetch handler's second argument on an upgrade request: `upgrade` accepts it. */
class UpgradeEnv extends FetchEnv {
  readonly #upgrade: (options?: UpgradeOptions) => boolean

  constructor(req: IncomingMessage, socket: Duplex, upgrade: (options?: UpgradeOptions) => boolean) {
    super(req, socket as unknown as NodeResponse)
    this.#upgrade = upgrade
  }

  override upgrade(_request: Request, options?: UpgradeOptions): boolean {
    return this.#upgrade(options)
  }
}

function isWebSocketHandshake(req: IncomingMessage): boolean {
  return req.method === 'GET' && req.headers.upgrade?.toLowerCase() === 'websocket' && !!req.headers['sec-websocket-key']
}

function headerLines(init: HeadersInit): string[] {
  const lines: string[] = []
  new Headers(init).forEach((value, name) => lines.push(`${name}: ${value}`))
  return lines
}

/** An upgrade request the app answered without upgrading: its Response, on the raw socket. */
async function writeRawResponse(socket: Duplex, response: Response | undefined): Promise<void> {
  if (!(response instanceof Response)) {
    socket.end('HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
    throw new TypeError(`the fetch handler returned ${typeof response} for an upgrade request, not a Response (nor did it call server.upgrade)`)
  }
  const body = Buffer.from(await response.arrayBuffer())
  const lines = [`HTTP/1.1 ${response.status} ${response.statusText || 'Upgrade Refused'}`]
  response.headers.forEach((value, name) => {
    if (name !== 'content-length' && name !== 'connection' && name !== 'transfer-encoding') lines.push(`${name}: ${value}`)
  })
  lines.push(`content-length: ${body.length}`, 'connection: close', '', '')
  socket.end(Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), body]))
}
