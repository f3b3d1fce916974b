// The same black-box suite under every worker class, 2 workers each, on the embedded SQLite:
// a record created through one worker is found through the other, and /metrics sums the
// requests both served, also after a worker was killed and replaced.
import { afterEach, describe, expect, it } from 'vitest'
import { PROBE_FORMAT, servedBy } from './support/access-probes.js'
import { GuProcess, freePort, killAll, scratchDir, waitUntil } from './support/gu-process.js'
import { call, postJson } from './support/http.js'

const API = '/api/v1/attendance'
const CLASSES = ['sync', 'async', 'threads', 'uws'] as const

afterEach(killAll)

/** The value of one sample of /metrics, 0 when absent. */
function sample(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `))
  return line ? Number(line.split(' ').pop()) : 0
}
const searches200 = (text: string) => sample(text, 'attendance_api_requests_total', `method="GET",path="${API}/search",status="200"`)

describe.each(CLASSES)('-k %s -w 2', (workerClass) => {
  it('shares records and metrics across both workers, and keeps the totals when a worker is replaced', async () => {
    const gu = new GuProcess(['app:app', '-k', workerClass, '-w', '2', '-b', `127.0.0.1:${await freePort()}`, '--access-logfile', '-', '--access-logformat', PROBE_FORMAT], { DATA_DIR: scratchDir() })
    const url = await gu.ready(2)
    expect(gu.log).toContain(`Using worker: ${workerClass}`)

    // Create through some worker, then search concurrently until another worker has answered.
    let searches = 0
    let crossed: { id: string; createdBy: number; foundBy: number } | undefined
    for (let round = 0; round < 20 && !crossed; round++) {
      const id = `${workerClass}-${round}`
      const created = await postJson(`${url}${API}/create?probe=c${round}`, { id, name: `Name ${round}`, status: 'present', date: '2024-06-01' })
      expect(created.status).toBe(200)
      const found = await Promise.all(Array.from({ length: 6 }, (_, i) => call(`${url}${API}/search?id=${id}&probe=s${round}-${i}`)))
      searches += found.length
      for (const reply of found) expect(reply.json).toEqual({ id, name: `Name ${round}`, status: 'present', date: '2024-06-01' })
      const pids = await waitUntil('the access log lines', () => {
        const served = servedBy(gu.stdout)
        return served.has(`c${round}`) && found.every((_, i) => served.has(`s${round}-${i}`)) && served
      })
      const createdBy = pids.get(`c${round}`)!
      const other = found.map((_, i) => pids.get(`s${round}-${i}`)!).find((pid) => pid !== createdBy)
      if (other) crossed = { id, createdBy, foundBy: other }
    }
    expect(crossed, 'a search served by a worker other than the one that created the record').toBeDefined()

    // Both workers served searches; /metrics must count all of them, whichever worker answers it.
    const served = servedBy(gu.stdout)
    const byWorker = new Map<number, number>()
    for (const [probe, pid] of served) if (probe.startsWith('s')) byWorker.set(pid, (byWorker.get(pid) ?? 0) + 1)
    expect(byWorker.size).toBe(2)
    const scrape = async () => (await call(`${url}/metrics`)).text
    let text = await waitUntil(`/metrics to count all ${searches} searches`, async () => {
      const t = await scrape()
      return searches200(t) === searches && t
    })
    expect(sample(text, 'attendance_api_request_duration_seconds_count', `method="GET",path="${API}/search",status="200"`)).toBe(searches)
    expect(text).toMatch(/^attendance_api\{version="1\.0\.0"\} 1$/m)

    // Kill one worker outright: its counts stay in the totals, and its replacement adds to them.
    const [victim] = [...byWorker.keys()]
    process.kill(victim!, 'SIGKILL')
    await waitUntil('a replacement worker', () => gu.workerPids().length === 2 && !gu.workerPids().includes(victim!), 20_000)
    await waitUntil('the replacement to answer', async () => (await call(`${url}${API}/health`).catch(() => undefined))?.status === 200, 20_000)
    for (let i = 0; i < 6; i++) expect((await call(`${url}${API}/search?id=${crossed!.id}&probe=after${i}`)).status).toBe(200)
    text = await waitUntil('/metrics to keep the dead worker\'s counts and add the new ones', async () => {
      const t = await scrape()
      return searches200(t) === searches + 6 && t
    })
    expect(searches200(await scrape())).toBe(searches + 6)
    expect(await gu.stop()).toBe(0)
  })
})
