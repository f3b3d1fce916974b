// log.json, the equivalent of the original's log.conf: run as the original was run
// (`gu app:app --log-config log.json -b …`), every error and access line is a JSON object.
import { afterEach, expect, it } from 'vitest'
import { GuProcess, killAll, scratchDir, waitUntil } from './support/gu-process.js'
import { postJson, call } from './support/http.js'

afterEach(killAll)

const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>
      } catch {
        throw new Error(`not a JSON line: ${line}`)
      }
    })

it('writes JSON error lines to stderr and JSON access lines to stdout', async () => {
  const gu = new GuProcess(['app:app', '--log-config', 'log.json', '-w', '1', '-b', '127.0.0.1:0'], { DATA_DIR: scratchDir() })
  const url = await gu.ready()
  const created = await postJson(`${url}/api/v1/attendance/create`, { id: 'log1', name: 'L', status: 'present', date: '2024-01-01' })
  expect(created.status).toBe(200)
  expect((await call(`${url}/api/v1/attendance/search?id=nobody`)).status).toBe(404)
  const access = await waitUntil('two access lines', () => {
    const lines = jsonLines(gu.stdout).filter((l) => String(l.request).includes('/api/v1/attendance/create') || String(l.request).includes('nobody'))
    return lines.length === 2 && lines
  })
  const [create, search] = [access.find((l) => l.method === 'POST')!, access.find((l) => l.method === 'GET')!]
  for (const line of [create, search]) {
    expect(new Date(String(line.time)).toISOString()).toBe(line.time)
    expect(line.level).toBe('info')
    expect(typeof line.message).toBe('string')
    expect(line.remote_addr).toBe('127.0.0.1')
  }
  expect(create).toMatchObject({ method: 'POST', request: 'POST /api/v1/attendance/create HTTP/1.1', status: 200 })
  expect(search).toMatchObject({ method: 'GET', request: 'GET /api/v1/attendance/search?id=nobody HTTP/1.1', status: 404 })
  expect(String(create.message)).toContain('"POST /api/v1/attendance/create HTTP/1.1" 200')

  expect(await gu.stop()).toBe(0)
  const errors = jsonLines(gu.stderr)
  expect(errors.length).toBeGreaterThan(2)
  for (const line of errors) {
    expect(Object.keys(line)).toEqual(expect.arrayContaining(['time', 'level', 'pid', 'message']))
    expect(typeof line.pid).toBe('number')
  }
  expect(errors.map((l) => l.message)).toContainEqual(expect.stringMatching(/^Listening at: http:\/\/127\.0\.0\.1:\d+/))
  expect(errors.map((l) => l.message)).toContainEqual(expect.stringMatching(/^Booting worker with pid: \d+/))
})
