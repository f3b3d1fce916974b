// NodeRequestView's peer on real sockets: read when asked unless kept, and kept past the close
// when the runtime needs it after the response (access log, postRequest).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { type AddressInfo, connect } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { NodeRequestView } from './node-views.js'

let close: (() => void) | undefined
afterEach(() => close?.())

/** One request from 127.0.0.1 and its view; resolves once the connection has closed. */
async function oneRequest(keepPeer: boolean): Promise<NodeRequestView> {
  let view: NodeRequestView | undefined
  let made: { req: IncomingMessage; res: ServerResponse } | undefined
  const server = createServer((req, res) => {
    made = { req, res }
    // One view per socket: node caches the peer on the socket once anything has read it.
    view = new NodeRequestView(req, res, keepPeer)
    res.end('ok')
  })
  close = () => server.close()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1')
  client.end('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  client.resume()
  await new Promise((resolve) => client.on('close', resolve))
  await new Promise((resolve) => made!.req.socket.destroyed ? resolve(undefined) : made!.req.socket.on('close', resolve))
  return view!
}

describe('NodeRequestView peer', () => {
  it('keeps the peer read at the start past the connection close, when asked to', async () => {
    const view = await oneRequest(true)
    expect(view.remoteAddress).toBe('127.0.0.1')
    expect(view.peerAddress).toBe('127.0.0.1')
  })

  it('reads the peer only when asked otherwise: undefined once the connection has gone', async () => {
    const view = await oneRequest(false)
    expect(view.remoteAddress).toBeUndefined()
  })

  it('reads the peer lazily while the connection is open', async () => {
    let seen: string | undefined
    const server = createServer((req, res) => {
      seen = new NodeRequestView(req, res, false).remoteAddress
      res.end()
    })
    const stop = close
    close = () => {
      stop?.()
      server.close()
    }
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const client = connect((server.address() as AddressInfo).port, '127.0.0.1')
    client.end('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    client.resume()
    await new Promise((resolve) => client.on('close', resolve))
    expect(seen).toBe('127.0.0.1')
  })
})
