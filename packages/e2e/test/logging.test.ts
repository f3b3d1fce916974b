import { existsSync, readFileSync, renameSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { Gu, PID_APP, asyncArgs, cleanupApps, killAll, makeApp, request } from '../src/harness.js'
import { readLines, waitUntil } from '../src/process-helpers.js'

afterEach(killAll)
afterAll(cleanupApps)

describe('access log', () => {
  it("writes Gunicorn's default format to stdout with --access-logfile -", async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const gu = new Gu(asyncArgs('app.mjs:app', '--access-logfile', '-'), { cwd: dir })
    const [worker] = await gu.waitForWorkers(1)
    const url = await gu.url()
    const res = await request(`${url}/hello?x=1`, { headers: { 'user-agent': 'e2e-agent/1.0', referer: 'http://ref.example/' } })
    const body = String(worker)
    expect(res.body).toBe(body)
    const line = await waitUntil('the access log line', () => gu.stdout.split('\n').find((l) => l.includes('/hello?x=1')))
    expect(line).toMatch(
      new RegExp(
        String.raw`^127\.0\.0\.1 - - \[\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "GET /hello\?x=1 HTTP/1\.1" 200 ${body.length} "http://ref\.example/" "e2e-agent/1\.0"$`,
      ),
    )
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })

  it('uses --access-logformat with custom atoms', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const format = 'ATOMS m=%(m)s U=%(U)s q=%(q)s s=%(s)s H=%(H)s id=%({x-request-id}i)s ct=%({content-type}o)s p=%(p)s'
    const gu = new Gu(asyncArgs('app.mjs:app', '--access-logfile', '-', '--access-logformat', format), { cwd: dir })
    const [worker] = await gu.waitForWorkers(1)
    await request(`${await gu.url()}/path/x?a=b`, { method: 'POST', headers: { 'x-request-id': 'abc-123' }, body: 'hi' })
    const line = await waitUntil('the access log line', () => gu.stdout.split('\n').find((l) => l.startsWith('ATOMS ')))
    expect(line).toBe(`ATOMS m=POST U=/path/x q=a=b s=200 H=HTTP/1.1 id=abc-123 ct=text/plain p=<${worker}>`)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })
})

describe('USR1', () => {
  it('reopens the access log file after it was renamed', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const logfile = join(dir, 'access.log')
    const rotated = join(dir, 'access.log.1')
    const gu = new Gu(asyncArgs('app.mjs:app', '-w', '2', '--access-logfile', logfile), { cwd: dir })
    await gu.waitForWorkers(2)
    const url = await gu.url()
    await request(`${url}/before`)
    await waitUntil('the first line', () => readLines(logfile).some((l) => l.includes('/before')))
    renameSync(logfile, rotated)

    gu.signal('SIGUSR1')
    // Each worker reopens when the arbiter forwards USR1; ask until the new file has the line.
    await waitUntil(
      'a new access.log with the new line',
      async () => {
        await request(`${url}/after`)
        return readLines(logfile).some((l) => l.includes('/after'))
      },
      5000,
      100,
    )
    expect(existsSync(logfile)).toBe(true)
    expect(readFileSync(rotated, 'utf8')).toContain('/before')
    expect(readLines(logfile).some((l) => l.includes('/before'))).toBe(false)
    // Both workers reopened: once they have, no request lands in the rotated file any more.
    const rotatedLines = readLines(rotated).length
    for (let i = 0; i < 10; i++) await request(`${url}/slow?ms=5`)
    await waitUntil('the later lines', () => readLines(logfile).filter((l) => l.includes('/slow')).length === 10, 3000)
    expect(readLines(rotated).length).toBe(rotatedLines)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })
})
