import { spawn } from 'node:child_process'
import { closeSync } from 'node:fs'
import { once } from 'node:events'
import { connect, type Socket } from 'node:net'
import { isLoaded } from '@gu/core'
import { describe, expect, it } from 'vitest'
import { connectionSocket } from './connection-socket.js'
import { loadNativeAccept } from './native-accept.js'

const addon = loadNativeAccept()

/**
 * A listening socket no libuv handle of this process accepts from, as a worker inherits one: a
 * child listens, sends its handle over IPC (a raw handle, not a server) and closes its own copy.
 */
async function listeningDescriptor(): Promise<{ fd: number; port: number }> {
  const child = spawn(process.execPath, ['-e', `
    const server = require('node:net').createServer()
    server.listen(0, '127.0.0.1', () => process.send(server.address().port, server._handle, () => server.close(() => process.disconnect())))
  `], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const [port, handle] = (await once(child, 'message')) as [number, { fd: number }]
  await once(child, 'exit')
  return { fd: handle.fd, port }
}

describe.skipIf(!isLoaded(addon))('connectionSocket', () => {
  const binding = isLoaded(addon) ? addon.binding : undefined!

  it("tells the socket Nagle's algorithm is off, so an app can turn it back on", async () => {
    const { fd: listenFd, port } = await listeningDescriptor()
    const watcher = binding.watch(listenFd, () => {})
    expect(binding.noDelay!(watcher)).toBe(0)
    const client = connect(port, '127.0.0.1')
    await once(client, 'connect')
    let fd = binding.acceptNow(watcher)
    for (let i = 0; fd < 0 && i < 50; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10))
      fd = binding.acceptNow(watcher)
    }
    expect(fd).toBeGreaterThanOrEqual(0)
    expect(binding.hasNoDelay!(fd)).toBe(true) // passed on from the listener
    const socket: Socket = connectionSocket(fd, true, true)
    socket.setNoDelay(false)
    expect(binding.hasNoDelay!(fd)).toBe(false)
    socket.setNoDelay(true)
    expect(binding.hasNoDelay!(fd)).toBe(true)
    socket.destroy()
    client.destroy()
    closeSync(listenFd) // never polled: nothing else holds it
  })
})
