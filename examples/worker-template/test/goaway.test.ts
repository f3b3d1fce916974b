// (e), (f) GOAWAY: HTTP/2 clients are told when a worker stops, and lose no stream to it.
import { connect as tcpConnect } from 'node:net'
import { expect, test } from 'vitest'
import { sleep, startGu } from './support/gu.js'
import { get, openSession, type Session } from './support/h2.js'

test('TERM: every open session gets GOAWAY, an in-flight stream completes, the arbiter exits 0 promptly', async () => {
  const gu = await startGu('node-app.mjs', ['--graceful-timeout', '20'])
  const idle = await openSession(gu.url)
  await get(idle, '/')
  const busy = await openSession(gu.url)
  const inFlight = get(busy, '/slow?ms=800')
  await sleep(200)

  const term = Date.now()
  gu.signal('SIGTERM')
  const res = await inFlight
  expect(res).toMatchObject({ status: 200, body: 'slow 2.0' })
  expect(await gu.exited).toEqual({ code: 0, signal: null })
  expect(Date.now() - term).toBeLessThan(3000)
  expect(busy.goaways.length).toBeGreaterThan(0)
  expect(idle.goaways.length).toBeGreaterThan(0)
  await Promise.all([idle.closed, busy.closed])
})

test('TERM: a connection that has sent nothing yet does not hold the stop past --keep-alive', async () => {
  const gu = await startGu('node-app.mjs', ['--graceful-timeout', '20', '--keep-alive', '1'])
  const silent = tcpConnect(gu.port, '127.0.0.1')
  await new Promise((resolve) => silent.once('connect', resolve))
  const closed = new Promise((resolve) => silent.once('close', resolve))
  silent.on('error', () => {})
  const term = Date.now()
  gu.signal('SIGTERM')
  expect(await gu.exited).toEqual({ code: 0, signal: null })
  expect(Date.now() - term).toBeLessThan(3000)
  await closed
})

test('max-requests: GOAWAY after the last request, and a client that reconnects loses no stream', async () => {
  const gu = await startGu('node-app.mjs', ['--max-requests', '3'])
  const sessions: Session[] = []
  const pids: string[] = []
  for (let i = 0; i < 7; i++) {
    let session = sessions.at(-1)
    // A client may not open streams on a session that got GOAWAY: it connects anew.
    if (!session || session.goaways.length > 0 || session.http2.closed) sessions.push((session = await openSession(gu.url)))
    const res = await get(session, '/pid')
    expect(res.status).toBe(200)
    pids.push(res.body)
  }
  // The readiness probe was the first worker's first request; each later worker serves three.
  expect(pids.map((pid) => pids.indexOf(pid))).toEqual([0, 0, 2, 2, 2, 5, 5])
  expect(sessions).toHaveLength(3)
  expect(sessions[0]!.goaways.length).toBeGreaterThan(0)
  expect(sessions[1]!.goaways.length).toBeGreaterThan(0)
  expect(gu.output).toMatch(/Autorestarting worker/)
})
