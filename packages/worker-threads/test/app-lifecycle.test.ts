// The app's own stop in every thread, and what a fetch app learns about its client.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { networkInterfaces, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { request, startGu, stopAll } from './harness.js'

afterEach(stopAll)

const hasIpv6Loopback = Object.values(networkInterfaces()).some((list) => list?.some((i) => i.family === 'IPv6' && i.address === '::1'))

describe('a graceful stop', () => {
  it("runs the app's shutdown, then its SIGTERM handlers, in every thread", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gu-threads-stop-'))
    try {
      const marks = join(dir, 'marks')
      const gu = await startGu('lifecycle-app.mjs:app', { args: ['--threads', '2'], env: { MARK_FILE: marks } })
      expect((await request(gu.url)).status).toBe(200)
      const exited = new Promise<number | null>((resolve) => gu.child.once('exit', (code) => resolve(code)))
      gu.child.kill('SIGTERM')
      expect(await exited).toBe(0)
      const lines = readFileSync(marks, 'utf8').trim().split('\n')
      const threads = new Set(lines.map((line) => line.split(' ')[1]))
      expect(threads.size).toBe(2)
      for (const thread of threads) expect(lines.filter((line) => line.endsWith(` ${thread}`))).toEqual([`shutdown ${thread}`, `sigterm ${thread}`])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('requestIP', () => {
  it('reports the client of the connection, as under async', async () => {
    const gu = await startGu('conninfo-app.mjs', { args: ['--threads', '2', ...(hasIpv6Loopback ? ['-b', '[::1]:0'] : [])] })
    const v4 = JSON.parse((await request(gu.url)).text) as { address: string; family: string; port: number }
    expect(v4).toMatchObject({ address: '127.0.0.1', family: 'IPv4' })
    expect(v4.port).toBeGreaterThan(0)
    if (!hasIpv6Loopback) return
    const v6url = /Listening at: (http:\/\/\[::1\]:\d+)/.exec(gu.output)![1]!
    expect(JSON.parse((await request(v6url)).text)).toMatchObject({ address: '::1', family: 'IPv6' })
  })
})
