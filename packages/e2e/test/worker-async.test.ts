import http from 'node:http'
import net from 'node:net'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { Gu, PID_APP, asyncArgs, cleanupApps, killAll, makeApp, request, sleep } from '../src/harness.js'

afterEach(killAll)
afterAll(cleanupApps)

/** Sends raw HTTP/1.1 requests on one TCP connection; resolves with everything read until close or `untilMs`. */
function rawExchange(port: number, payload: string, untilMs = 3000): Promise<{ data: string; closedByServer: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    let data = ''
    let closedByServer = false
    const timer = setTimeout(() => {
      socket.destroy()
      resolve({ data, closedByServer })
    }, untilMs)
    socket.on('data', (d) => (data += d))
    socket.on('end', () => {
      closedByServer = true
      clearTimeout(timer)
      socket.destroy()
      resolve({ data, closedByServer })
    })
    socket.on('error', reject)
    socket.write(payload)
  })
}

const GET = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'

describe('@gu/worker-async', () => {
  it('keeps connections alive for --keep-alive seconds, then closes them', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const gu = new Gu(asyncArgs('app.mjs:app', '--keep-alive', '1'), { cwd: dir })
    await gu.waitForWorkers(1)
    const port = Number(new URL(await gu.url()).port)
    const started = Date.now()
    const { data, closedByServer } = await rawExchange(port, GET + GET, 5000)
    expect(data.match(/HTTP\/1\.1 200/g)).toHaveLength(2)
    expect(data).toMatch(/keep-alive: timeout=1/i)
    expect(closedByServer).toBe(true)
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)
  })

  it('closes every connection after its response with --keep-alive 0', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const gu = new Gu(asyncArgs('app.mjs:app', '--keep-alive', '0'), { cwd: dir })
    await gu.waitForWorkers(1)
    const port = Number(new URL(await gu.url()).port)
    const { data, closedByServer } = await rawExchange(port, GET + GET, 3000)
    expect(data.match(/HTTP\/1\.1 200/g)).toHaveLength(1)
    expect(data).toMatch(/connection: close/i)
    expect(closedByServer).toBe(true)
  })

  it('holds at most --worker-connections connections per worker', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const gu = new Gu(asyncArgs('app.mjs:app', '--worker-connections', '2'), { cwd: dir })
    await gu.waitForWorkers(1)
    const url = await gu.url()
    const agent = new http.Agent({ keepAlive: true, maxSockets: 10 })
    // Two slow requests occupy both connection slots; a third connection is turned away.
    const held = [request(`${url}/slow?ms=1500`, { agent }), request(`${url}/slow?ms=1500`, { agent })]
    await sleep(300)
    await expect(request(`${url}/`, { timeoutMs: 1000 })).rejects.toThrow()
    const replies = await Promise.all(held)
    expect(replies.map((r) => r.status)).toEqual([200, 200])
    agent.destroy()
  })
})
