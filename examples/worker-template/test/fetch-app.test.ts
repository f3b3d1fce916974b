// (b)-(d) A fetch app over HTTP/2: HEAD, the host from :authority, no connection-specific headers.
import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { http1Get, scratchFile, sleep, startGu } from './support/gu.js'
import { get, openSession, request } from './support/h2.js'

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']

test('HEAD over HTTP/2 completes promptly with no body, and is logged', async () => {
  const log = scratchFile('access.log')
  const gu = await startGu('fetch-app.mjs', ['--access-logfile', log])
  const session = await openSession(gu.url)
  const started = Date.now()
  const head = await request(session, { ':method': 'HEAD', ':path': '/' })
  expect(Date.now() - started).toBeLessThan(1000)
  expect(head.status).toBe(200)
  expect(head.body).toBe('')
  expect((await get(session, '/')).body).toBe('hello body') // the session is still good
  for (let deadline = Date.now() + 3000; !readFileSync(log, 'utf8').includes('HEAD') && Date.now() < deadline; ) await sleep(25)
  expect(readFileSync(log, 'utf8')).toMatch(/^127\.0\.0\.1 - - \[[^\]]+\] "HEAD \/ HTTP\/2\.0" 200 (0|-) /m)
})

test("a fetch app's request.url has the host of :authority", async () => {
  const gu = await startGu('fetch-app.mjs')
  const session = await openSession(gu.url)
  expect((await get(session, '/host')).body).toBe(`127.0.0.1:${gu.port}`)
  expect((await request(session, { ':path': '/host', ':authority': 'example.test:8443' })).body).toBe('example.test:8443')
})

test.each(['node-app.mjs', 'fetch-app.mjs'])('no connection-specific headers and no warning on HTTP/2 when every connection must end (%s)', async (app) => {
  // --keep-alive 0: every response ends its connection, which on HTTP/2 must be GOAWAY.
  const gu = await startGu(app, ['--keep-alive', '0'])
  for (const path of ['/', '/hop']) {
    const session = await openSession(gu.url)
    const res = await get(session, path)
    expect(res.status).toBe(200)
    for (const name of HOP_BY_HOP) expect(res.headers).not.toHaveProperty(name)
    await session.closed
    expect(session.goaways.length).toBeGreaterThan(0)
  }
  // HTTP/1.1 on the same port says it with a header.
  expect((await http1Get(`${gu.url}/`, { connection: 'keep-alive' })).headers.connection).toBe('close')
  await sleep(100)
  expect(gu.output).not.toMatch(/Warning|connection header/i)
})
