// (a) The access log sees HTTP/2 requests as it sees HTTP/1.1 ones: one line each, the client's
// address, HTTP/2.0, and the body's bytes counted once.
import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { http1Get, scratchFile, sleep, startGu } from './support/gu.js'
import { get, openSession } from './support/h2.js'

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean)
const LINE = (request: string, status: number, bytes: number) => new RegExp(`^127\\.0\\.0\\.1 - - \\[[^\\]]+\\] "${request}" ${status} ${bytes} `)

/** The lines after startGu's readiness probe, once `count` are there and nothing more follows. */
async function logLines(file: string, count: number): Promise<string[]> {
  for (let deadline = Date.now() + 5000; lines(file).length < count + 1 && Date.now() < deadline; ) await sleep(25)
  await sleep(200)
  const [probe, ...rest] = lines(file)
  expect(probe).toMatch(/"GET \/pid HTTP\/1\.1" 200/)
  return rest
}

test('one access-log line per HTTP/2 request, with the client address, HTTP/2.0 and the bytes counted once', async () => {
  const log = scratchFile('access.log')
  const gu = await startGu('node-app.mjs', ['--access-logfile', log])
  const session = await openSession(gu.url)
  expect((await get(session, '/known')).body).toHaveLength(59) // res.end(body)
  expect((await get(session, '/written')).body).toHaveLength(59) // res.write(body), res.end()
  expect((await get(session, '/other')).body).toBe('GET /other 2.0')
  session.http2.close()

  const written = await logLines(log, 3)
  expect(written).toHaveLength(3)
  expect(written[0]).toMatch(LINE('GET /known HTTP/2.0', 200, 59))
  expect(written[1]).toMatch(LINE('GET /written HTTP/2.0', 200, 59))
  expect(written[2]).toMatch(LINE('GET /other HTTP/2.0', 200, 14))
})

test('HTTP/1.1 requests on the same port are logged as HTTP/1.1', async () => {
  const log = scratchFile('access.log')
  const gu = await startGu('node-app.mjs', ['--access-logfile', log])
  expect((await http1Get(`${gu.url}/known`)).body).toHaveLength(59)
  expect(await logLines(log, 1)).toEqual([expect.stringMatching(LINE('GET /known HTTP/1.1', 200, 59))])
})
