// (g) HTTP/1.1 and h2c on one port: each connection goes by its first bytes, both at once.
import { Agent, request as http1Request } from 'node:http'
import { connect as tcpConnect } from 'node:net'
import { expect, test } from 'vitest'
import { http1Get, sleep, startGu } from './support/gu.js'
import { get, openSession } from './support/h2.js'

function http1Slow(url: string, agent: Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    http1Request(`${url}/slow?ms=150`, { agent }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve(`${res.statusCode} ${body}`))
    })
      .on('error', reject)
      .end()
  })
}

test('HTTP/1.1 and HTTP/2 clients at once, on the same port and worker', async () => {
  const gu = await startGu('node-app.mjs')
  const agent = new Agent({ keepAlive: true, maxSockets: 3 })
  const session = await openSession(gu.url)
  const answers = await Promise.all([
    ...Array.from({ length: 12 }, () => http1Slow(gu.url, agent)),
    ...Array.from({ length: 12 }, () => get(session, '/slow?ms=150').then((res) => `${res.status} ${res.body}`)),
  ])
  agent.destroy()
  expect(answers.slice(0, 12)).toEqual(Array(12).fill('200 slow 1.1'))
  expect(answers.slice(12)).toEqual(Array(12).fill('200 slow 2.0'))
})

test('a request whose first bytes arrive one at a time, as the HTTP/2 preface would begin, is HTTP/1.1', async () => {
  const gu = await startGu('node-app.mjs')
  const socket = tcpConnect(gu.port, '127.0.0.1')
  let answer = ''
  socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk))
  const ended = new Promise((resolve) => socket.once('end', resolve))
  for (const piece of ['P', 'U', 'T /split HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n']) {
    socket.write(piece)
    await sleep(50)
  }
  await ended
  expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/)
  expect(answer).toMatch(/\r\n\r\nPUT \/split 1\.1$/)
})

test('an idle HTTP/2 session is closed with GOAWAY after --keep-alive', async () => {
  const gu = await startGu('node-app.mjs', ['--keep-alive', '1'])
  const session = await openSession(gu.url)
  await get(session, '/')
  const idleFrom = Date.now()
  await session.closed
  expect(Date.now() - idleFrom).toBeGreaterThan(800)
  expect(Date.now() - idleFrom).toBeLessThan(3000)
  // Its last stream id names the one stream it served (node sends GOAWAY again as it ends the session).
  expect(new Set(session.goaways)).toEqual(new Set([1]))
})

test('--worker-connections counts HTTP/2 sessions and HTTP/1.1 connections alike', async () => {
  const gu = await startGu('node-app.mjs', ['--worker-connections', '1'])
  await sleep(100) // the readiness probe's connection closes
  const session = await openSession(gu.url)
  await get(session, '/')
  await expect(http1Get(`${gu.url}/`)).rejects.toThrow(/socket hang up|ECONNRESET/)
  session.http2.close()
  await session.closed
  await sleep(100)
  expect((await http1Get(`${gu.url}/`)).status).toBe(200)
})
