import { Duplex } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { addSocketNoops, type SocketNoops } from './socket-stand-in.js'

class Plain {}
interface Plain extends SocketNoops {}
addSocketNoops(Plain)

class OwnTimeout extends Duplex {
  timeouts: number[] = []
  setTimeout(msecs: number): this {
    this.timeouts.push(msecs)
    return this
  }
}
interface OwnTimeout extends SocketNoops {}
addSocketNoops(OwnTimeout)

describe('addSocketNoops', () => {
  it('gives a stand-in every socket method, each returning the stand-in so calls chain', () => {
    const socket = new Plain()
    expect(socket.setTimeout(5, () => {}).setNoDelay(true).setKeepAlive(true, 1000).ref().unref()).toBe(socket)
  })

  it("keeps a method the stand-in defines itself, and doesn't reach past its own prototype", () => {
    const socket = new OwnTimeout()
    expect(socket.setTimeout(7).ref()).toBe(socket)
    expect(socket.timeouts).toEqual([7])
    expect(Object.hasOwn(Duplex.prototype, 'ref')).toBe(false)
  })
})
