// slow-clients: a client too slow to send its request never holds a worker: its head is bounded
// by --header-timeout, its body by --min-body-rate over --body-timeout (408, connection closed),
// the worker serves on, and --timeout is the app's time only. A class that holds many connections
// lets a new client in at --worker-connections by shedding an idle or stalled one, never one whose
// request is with the app.
import { ensure } from '../ensure.js'
import type { GuProcess } from '../gu-process.js'
import { request, servedBy } from '../http-client.js'
import { RawConnection, requestHead } from '../raw-connection.js'
import type { Check } from '../types.js'
import { describeError, settle, sleep } from '../wait.js'

const group = 'slow-clients'

/** Writes one byte of `text` every `everyMs` until the connection closes or the text runs out. */
function trickle(conn: RawConnection, text: string, everyMs: number): () => void {
  let i = 0
  const timer = setInterval(() => {
    if (conn.closed || i >= text.length) return clearInterval(timer)
    conn.write(text[i++]!)
  }, everyMs)
  return () => clearInterval(timer)
}

/** The connection got a 408 and was closed within `ms`. */
async function expect408(conn: RawConnection, method: string, ms: number, what: string): Promise<void> {
  const res = await conn.readResponse(method, ms)
  ensure(res, () => `${what}: no response within ${ms / 1000}s${conn.closed ? ' (the connection was closed without a 408)' : ' (the connection is still open)'}`)
  ensure(res.status === 408, `${what}: got ${res.status}, expected 408`)
  ensure(await conn.waitForClose(2000), `${what}: got its 408, but the connection stayed open`)
}

async function expectSameWorker(gu: GuProcess, pid: number | undefined, after: string): Promise<void> {
  const served = await servedBy(gu.url, { timeoutMs: 3000 }).catch((error: Error) => describeError(error))
  ensure(served === pid, `after ${after}, /pid was answered by ${served}, expected the same worker ${pid} (a slow client must not cost a worker its life)`)
  const timeout = gu.output.match(/WORKER TIMEOUT \(pid:\d+\)/)
  ensure(!timeout, () => `after ${after}, the arbiter logged '${timeout![0]}'`)
}

/** One slow client: what it sends at once, then what it trickles a byte at a time. */
interface SlowSender {
  /** For failure messages: what the client does. */
  readonly what: string
  readonly method: string
  readonly atOnce?: string
  readonly trickle?: { readonly text: string; readonly everyMs: number }
}

/** Slow clients against one gu started with `args`: each gets 408 and is closed, and the worker lives. */
function slowClientsCut(name: string, args: readonly string[], senders: readonly SlowSender[], after: string): Check {
  return {
    group,
    name,
    timeoutMs: 30_000,
    async run(ctx) {
      const gu = await ctx.start({ args: [...args] })
      const [pid] = gu.workerPids()
      const conns = await Promise.all(senders.map(() => RawConnection.open(gu.port)))
      const stops = senders.map((sender, i) => {
        if (sender.atOnce) conns[i]!.write(sender.atOnce)
        return sender.trickle ? trickle(conns[i]!, sender.trickle.text, sender.trickle.everyMs) : () => {}
      })
      try {
        // Within the limit plus the guard's sweep, and (one request at a time) the others' turns.
        await Promise.all(senders.map((sender, i) => expect408(conns[i]!, sender.method, 6000, sender.what)))
      } finally {
        for (const stop of stops) stop()
        for (const conn of conns) conn.destroy()
      }
      await expectSameWorker(gu, pid, after)
    },
  }
}

const headTimeout = slowClientsCut(
  'a silent client, and one trickling its head, get 408 and are closed after --header-timeout; the worker serves on',
  ['--header-timeout', '1'],
  [
    { what: 'a connection that sent nothing', method: 'GET' },
    { what: 'a head trickled at a byte every 150 ms', method: 'GET', trickle: { text: 'GET /pid HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ' + 'x'.repeat(200), everyMs: 150 } },
  ],
  'two slow heads',
)

const bodyRate = slowClientsCut(
  'a body trickled below --min-body-rate gets 408 and is closed; the worker serves on',
  ['--body-timeout', '1', '--min-body-rate', '1000'],
  [
    {
      what: 'a 100 kB body trickled at 10 bytes a second under --min-body-rate 1000',
      method: 'POST',
      atOnce: requestHead('POST', '/hash', { 'Content-Length': 100_000, 'Content-Type': 'application/octet-stream' }) + 'first bytes',
      trickle: { text: 'y'.repeat(1000), everyMs: 100 },
    },
  ],
  'a slow body',
)

const uploadPastTimeout: Check = {
  group,
  name: 'an upload above --min-body-rate that takes longer than --timeout completes, and the worker lives',
  timeoutMs: 30_000,
  async run(ctx) {
    const gu = await ctx.start({ args: ['--timeout', '2', '--body-timeout', '1', '--min-body-rate', '100'] })
    const [pid] = gu.workerPids()
    const conn = await RawConnection.open(gu.port)
    const body = 'z'.repeat(1400)
    try {
      conn.write(requestHead('POST', '/hash', { 'Content-Length': body.length, 'Content-Type': 'application/octet-stream', Connection: 'close' }))
      // 50 bytes every 150 ms: ≈ 330 bytes a second, for about 4 s, twice --timeout.
      let sent = 0
      while (sent < body.length && !conn.closed) {
        conn.write(body.slice(sent, sent + 50))
        sent += 50
        await sleep(150)
      }
      const res = await conn.readResponse('POST', 5000)
      ensure(res, `no response to a 4 s upload at ≈ 330 bytes a second under --timeout 2 --min-body-rate 100${conn.closed ? ' (the connection was closed)' : ''}`)
      ensure(res.status === 200, `a 4 s upload at ≈ 330 bytes a second under --timeout 2 --min-body-rate 100 got ${res.status}, expected 200 (the client's time is not the app's)`)
      const digest = JSON.parse(res.body.toString()) as { length: number }
      ensure(digest.length === body.length, `the app read ${digest.length} of the ${body.length} bytes uploaded`)
    } finally {
      conn.destroy()
    }
    await expectSameWorker(gu, pid, 'an upload longer than --timeout')
  },
}

const shedAtCap: Check = {
  group,
  scope: ['loop', 'thread'],
  name: 'at --worker-connections a new client gets in: an idle or stalled connection is shed, never one with a request in the app',
  timeoutMs: 30_000,
  async run(ctx) {
    const gu = await ctx.start({ args: ['--worker-connections', '4', '--keep-alive', '30', '--header-timeout', '30'] })
    const [pid] = gu.workerPids()
    await sleep(200) // the readiness probe's connection closes
    const inApp = settle(request(`${gu.url}/slow?ms=2500`, { timeoutMs: 10_000 }))
    const idle = await RawConnection.open(gu.port)
    idle.write(requestHead('GET', '/pid'))
    ensure(await idle.readResponse('GET', 3000), 'a keep-alive request before the cap got no response')
    const stalled = [await RawConnection.open(gu.port), await RawConnection.open(gu.port)]
    for (const conn of stalled) conn.write('GET /pid HTTP/1.1\r\nHost: 1')
    const holders = [idle, ...stalled]
    try {
      await sleep(300)
      const outcome = await settle(request(`${gu.url}/pid`, { timeoutMs: 3000, headers: { connection: 'close' } }))
      ensure(outcome.ok, () => `with 4 connections held under --worker-connections 4 (one in the app, one idle, two stalled heads), a new client got no answer: ${describeError((outcome as { error: Error }).error)}`)
      ensure(outcome.value.status === 200 && Number(outcome.value.text) === pid, `the new client got ${outcome.value.status} from ${outcome.value.text}, expected 200 from ${pid}`)
      const shed = holders.filter((conn) => conn.closed).length
      ensure(shed >= 1, 'the new client got in, but none of the 4 connections held was closed: the class does not hold --worker-connections to its cap')
      const done = await inApp
      ensure(done.ok && done.value.status === 200, () => `the request that was in the app when the new client came ${done.ok ? `got ${done.value.status}` : `failed: ${describeError(done.error)}`}: it must never be shed`)
    } finally {
      for (const conn of holders) conn.destroy()
    }
  },
}

export const slowClientChecks: readonly Check[] = [headTimeout, bodyRate, uploadPastTimeout, shedAtCap]
