// A few client loops requesting without pause, for checks that must fail no request while the
// workers change underneath (HUP). Half reuse one keep-alive connection, half open a new one each time.
import http from 'node:http'
import { request } from './http-client.js'
import { describeError, sleep } from './wait.js'

export interface LoadResult {
  ok: number
  /** Each failure by what went wrong: `ECONNRESET`, `status 502` … */
  failures: Record<string, number>
  /** The worker pids that served, from `/pid` bodies. */
  pids: Set<number>
}

export interface SteadyLoad {
  stop(): Promise<LoadResult>
}

export function startLoad(baseUrl: string, clients = 4): SteadyLoad {
  const result: LoadResult = { ok: 0, failures: {}, pids: new Set() }
  let running = true
  const loop = async (index: number) => {
    // A keep-alive connection reused at once never sits idle long enough to meet the server's
    // keep-alive timeout; that race would be the client's, not the class's.
    const agent = index % 2 === 0 ? new http.Agent({ keepAlive: true, maxSockets: 1 }) : false
    for (let n = 1; running; n++) {
      // Every fourth request takes a while, so some are always in flight when workers change.
      const path = n % 4 === 0 ? '/slow?ms=100' : '/pid'
      try {
        const res = await request(`${baseUrl}${path}`, { agent, timeoutMs: 10_000 })
        if (res.status !== 200) throw new Error(`status ${res.status}`)
        result.ok++
        result.pids.add(Number(res.text))
      } catch (error) {
        const what = describeError(error as Error)
        result.failures[what] = (result.failures[what] ?? 0) + 1
      }
      // A short pause leaves the server's processes some of the two cores.
      await sleep(5)
    }
    if (agent) agent.destroy()
  }
  const done = Promise.all(Array.from({ length: clients }, (_, i) => loop(i)))
  return {
    stop: async () => {
      running = false
      await done
      return result
    },
  }
}
