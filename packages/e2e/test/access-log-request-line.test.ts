// The access log shows the request line the client sent, even when the app rewrote req.url
// while routing (Express strips a router's mount path from it).
import { afterAll, afterEach, expect, it } from 'vitest'
import { Gu, asyncArgs, cleanupApps, killAll, makeApp, request } from '../src/harness.js'
import { waitUntil } from '../src/process-helpers.js'

afterEach(killAll)
afterAll(cleanupApps)

const MOUNTED_APP = `
import express from 'express'
const api = express.Router().get('/items', (req, res) => res.send('url=' + req.url))
export const app = express().use('/api/v1', api)
`

it('logs the full path of a request an Express router served under its mount path', async () => {
  const dir = makeApp({ 'app.mjs': MOUNTED_APP })
  const gu = new Gu(asyncArgs('app.mjs:app', '--access-logfile', '-'), { cwd: dir })
  await gu.waitForWorkers(1)
  const res = await request(`${await gu.url()}/api/v1/items?x=1`)
  expect(res.body).toBe('url=/items?x=1') // the app did see the rewritten url
  const line = await waitUntil('the access log line', () => gu.stdout.split('\n').find((l) => l.includes('"GET ')))
  expect(line).toContain('"GET /api/v1/items?x=1 HTTP/1.1" 200')
  expect(await gu.stop()).toEqual({ code: 0, signal: null })
})
