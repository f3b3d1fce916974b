// http: HTTP/1.1 semantics a class's engine owns, checked on raw sockets where node's client
// would hide a mistake: pipelining, chunked uploads, 100-continue, bodiless responses, big
// bodies both ways, and clients that leave half-way.
import { createHash } from 'node:crypto'
import http from 'node:http'
import { ensure, fail, show } from '../ensure.js'
import { type BodyDigest, type FixtureApp, STREAM_BLOCK, streamSha256 } from '../fixtures.js'
import type { GuProcess } from '../gu-process.js'
import { getText, servedBy } from '../http-client.js'
import { RawConnection, requestHead } from '../raw-connection.js'
import type { RawResponse } from '../response-parser.js'
import type { Check, CheckContext } from '../types.js'
import { describeError, pollUntil, sleep } from '../wait.js'

const group = 'http'

const closes = (res: RawResponse) => /\bclose\b/i.test(res.headers.connection ?? '')

const pipelining: Check = {
  group,
  name: 'pipelined requests are answered in order',
  timeoutMs: 20_000,
  async run(ctx) {
    const gu = await ctx.start()
    const conn = await RawConnection.open(gu.port)
    try {
      conn.write(['/url?i=1', '/url?i=2', '/url?i=3'].map((target) => requestHead('GET', target)).join(''))
      const answered: RawResponse[] = []
      for (let i = 1; i <= 3; i++) {
        const res = await conn.readResponse('GET', 5000)
        if (!res) break
        answered.push(res)
        ensure(res.status === 200, `pipelined request ${i} got ${res.status}, expected 200`)
        ensure(res.body.toString() === `/url?i=${i}`, `pipelined response ${i} carried ${show(res.body)}, the answer to another request (expected "/url?i=${i}")`)
        if (closes(res)) break
      }
      ensure(answered.length > 0, `no response to three pipelined requests within 5s${conn.closed ? ' (the server closed the connection)' : ''}`)
      const last = answered.at(-1)!
      if (closes(last)) {
        // A class may end the connection after any response it marks `Connection: close`.
        ensure(await conn.waitForClose(3000), `response ${answered.length} said Connection: close, but the connection stayed open`)
        ensure(conn.pending.length === 0, `bytes followed a Connection: close response: ${show(conn.pending)}`)
      } else {
        ensure(answered.length === 3, `only ${answered.length} of 3 pipelined requests were answered, and the last answer did not say Connection: close`)
      }
    } finally {
      conn.destroy()
    }
  },
}

const chunkedUpload: Check = {
  group,
  name: 'a chunked request body with chunk extensions and trailers arrives whole',
  timeoutMs: 20_000,
  async run(ctx) {
    const gu = await ctx.start()
    const conn = await RawConnection.open(gu.port)
    try {
      conn.write(requestHead('POST', '/hash', { 'Transfer-Encoding': 'chunked', 'Content-Type': 'text/plain', Trailer: 'X-Checksum' }))
      conn.write('5;name=first\r\nhello\r\n')
      await sleep(50)
      conn.write('6;quoted="a b"\r\n world\r\n10\r\n, in three parts\r\n')
      conn.write('0\r\nX-Checksum: testkit\r\n\r\n')
      const res = await conn.readResponse('POST', 5000)
      ensure(res, `no response to a chunked upload within 5s${conn.closed ? ' (the server closed the connection)' : ''}`)
      ensure(res.status === 200, `a chunked upload with extensions and a trailer got ${res.status}, expected 200`)
      expectDigest(res.body.toString(), Buffer.from('hello world, in three parts'), 'the chunked body')
    } finally {
      conn.destroy()
    }
  },
}

const expectContinue: Check = {
  group,
  name: "Expect: 100-continue gets '100 Continue', then the response",
  timeoutMs: 20_000,
  async run(ctx) {
    const gu = await ctx.start()
    const conn = await RawConnection.open(gu.port)
    try {
      const body = Buffer.from('sent after 100 Continue')
      conn.write(requestHead('POST', '/hash', { 'Content-Length': body.length, Expect: '100-continue' }))
      const interim = await conn.readResponse('POST', 3000)
      ensure(interim, `no '100 Continue' within 3s of a request with Expect: 100-continue${conn.closed ? ' (the server closed the connection)' : ''}`)
      ensure(interim.status === 100, `the answer to Expect: 100-continue was '${interim.statusLine}' before the body was sent, not '100 Continue'`)
      conn.write(body)
      const res = await conn.readResponse('POST', 5000)
      ensure(res, 'no final response within 5s after 100 Continue and the body')
      ensure(res.status === 200, `after 100 Continue the response was ${res.status}, expected 200`)
      expectDigest(res.body.toString(), body, 'the body sent after 100 Continue')
    } finally {
      conn.destroy()
    }
  },
}

/** HEAD, 204 and 304 carry no body: what follows them must be the next response, or a clean close. */
async function bodiless(ctx: CheckContext, app: FixtureApp): Promise<void> {
  const gu = await ctx.start({ app })
  const steps: Array<[method: string, target: string, status: number]> = [
    ['HEAD', '/fixed', 200],
    ['GET', '/status?code=204', 204],
    ['GET', '/status?code=304', 304],
    ['GET', '/fixed', 200],
  ]
  let conn: RawConnection | undefined
  try {
    for (const [method, target, status] of steps) {
      const what = `${method} ${target} (${app} app)`
      conn ??= await RawConnection.open(gu.port)
      conn.write(requestHead(method, target))
      const res = await conn.readResponse(method, 5000)
      ensure(res, `no complete response to ${what} within 5s${conn.closed ? ' (the server closed the connection)' : ''}`)
      ensure(res.status === status, `${what} got ${res.status}, expected ${status}`)
      if (target === '/fixed' && method === 'GET') ensure(res.body.toString() === 'hello world', `${what} carried ${show(res.body)}, expected "hello world"`)
      // Stray body bytes would arrive right behind the head.
      await sleep(100)
      ensure(conn.pending.length === 0, `${what} was followed by ${conn.pending.length} stray byte(s) ${show(conn.pending)}: a body where there must be none`)
      if (closes(res) || conn.closed) {
        ensure(await conn.waitForClose(3000), `${what} said Connection: close, but the connection stayed open`)
        conn.destroy()
        conn = undefined
      }
    }
  } finally {
    conn?.destroy()
  }
}

const bigUpload: Check = {
  group,
  name: 'an 8 MB request body arrives intact',
  timeoutMs: 30_000,
  async run(ctx) {
    const gu = await ctx.start()
    const body = Buffer.alloc(8 * 1024 * 1024)
    for (let i = 0; i < body.length; i += 4) body.writeUInt32LE((i * 2654435761) >>> 0, i)
    const text = await new Promise<string>((resolve, reject) => {
      const req = http.request(`${gu.url}/hash`, { method: 'POST', agent: false, headers: { 'content-length': body.length } }, (res) => {
        let data = ''
        res.setEncoding('utf8').on('data', (d: string) => (data += d))
        res.on('end', () => (res.statusCode === 200 ? resolve(data) : reject(new Error(`status ${res.statusCode}`))))
        res.on('error', reject)
      })
      req.setTimeout(20_000, () => req.destroy(new Error('no response within 20s')))
      req.on('error', reject)
      // Written in 64 KiB pieces, waiting for drain, as a streaming client does.
      let at = 0
      const more = () => {
        while (at < body.length) {
          const ok = req.write(body.subarray(at, (at += STREAM_BLOCK)))
          if (!ok) return req.once('drain', more)
        }
        req.end()
      }
      more()
    }).catch((error: Error) => fail(`an 8 MB upload failed: ${describeError(error)}`))
    expectDigest(text, body, 'the 8 MB upload')
  },
}

const bigDownload: Check = {
  group,
  name: 'an 8 MB streamed response arrives intact',
  timeoutMs: 30_000,
  async run(ctx) {
    const gu = await ctx.start()
    const { length, sha256 } = await new Promise<BodyDigest>((resolve, reject) => {
      const req = http.get(`${gu.url}/stream?mb=8`, { agent: false }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`status ${res.statusCode}`))
        const hash = createHash('sha256')
        let length = 0
        let paused = false
        res.on('data', (chunk: Buffer) => {
          hash.update(chunk)
          length += chunk.length
          // A slow reader for a moment: the app must wait for it rather than fail or drop data.
          if (!paused && length > 1024 * 1024) {
            paused = true
            res.pause()
            setTimeout(() => res.resume(), 300)
          }
        })
        res.on('end', () => resolve({ length, sha256: hash.digest('hex') }))
        res.on('error', reject)
        res.on('aborted', () => reject(new Error(`the response was cut after ${length} bytes`)))
      })
      req.setTimeout(20_000, () => req.destroy(new Error('not complete within 20s')))
      req.on('error', reject)
    }).catch((error: Error) => fail(`an 8 MB streamed download failed: ${describeError(error)}`))
    ensure(length === 8 * 1024 * 1024, `the 8 MB streamed response arrived as ${length} bytes`)
    ensure(sha256 === streamSha256(8), 'the 8 MB streamed response arrived with the right length but different bytes')
  },
}

/** The client leaves half-way; the worker must survive and the app must be told. */
async function clientLeaves(ctx: CheckContext, app: FixtureApp, leave: (gu: GuProcess) => Promise<void>, when: string): Promise<void> {
  const gu = await ctx.start({ app })
  const pid = await servedBy(gu.url)
  const aborts = async () => {
    const text = await getText(`${gu.url}/aborts`)
    const count = (JSON.parse(/^\{/.test(text) ? text : 'null') as { aborted?: unknown } | null)?.aborted
    return typeof count === 'number' ? count : fail(`/aborts answered ${show(text)}, not the fixture app's counter`)
  }
  const before = await aborts()
  await leave(gu)
  const signal = app === 'node' ? "req/res 'close' before the response finished" : 'request.signal aborting'
  const told = await pollUntil(async () => (await aborts()) > before, 3000, 100).catch((error: Error) => fail(`after a client left ${when}, /aborts failed: ${describeError(error)}`))
  const after = await servedBy(gu.url).catch((error: Error) => fail(`after a client left ${when}, the next request failed: ${describeError(error)}`))
  ensure(after === pid, `after a client left ${when}, /pid was served by ${after}, not ${pid}: the worker crashed (${app} app)`)
  ensure(!/Uncaught exception|Unhandled rejection/.test(gu.output), `a client leaving ${when} caused an uncaught error in the worker (${app} app)`)
  ensure(told, `the ${app} app was never told that its client left ${when} (it watches for ${signal})`)
}

async function leaveMidRequest(gu: GuProcess): Promise<void> {
  const conn = await RawConnection.open(gu.port)
  conn.write(requestHead('POST', '/hash', { 'Content-Length': 4 * 1024 * 1024 }))
  conn.write(Buffer.alloc(256 * 1024, 7))
  await sleep(300)
  conn.destroy()
}

async function leaveMidResponse(gu: GuProcess): Promise<void> {
  const conn = await RawConnection.open(gu.port)
  conn.write(requestHead('GET', '/stream?mb=64'))
  const some = await conn.waitForBytes(256 * 1024, 5000)
  conn.destroy()
  ensure(some, 'a 64 MB streamed response sent less than 256 KB within 5s')
}

const bothApps = (run: (ctx: CheckContext, app: FixtureApp) => Promise<void>) => async (ctx: CheckContext) => {
  await run(ctx, 'node')
  await run(ctx, 'fetch')
}

function expectDigest(text: string, sent: Buffer, what: string): void {
  let digest: BodyDigest
  try {
    digest = JSON.parse(text) as BodyDigest
  } catch {
    return fail(`the app's digest of ${what} was not JSON: ${show(text)}`)
  }
  ensure(digest.length === sent.length, `${what} reached the app as ${digest.length} bytes, not ${sent.length}`)
  ensure(digest.sha256 === createHash('sha256').update(sent).digest('hex'), `${what} reached the app with the right length but different bytes`)
}

export const httpChecks: readonly Check[] = [
  pipelining,
  chunkedUpload,
  expectContinue,
  { group, name: 'HEAD, 204 and 304 responses carry no body', timeoutMs: 30_000, run: bothApps(bodiless) },
  bigUpload,
  bigDownload,
  {
    group,
    name: 'a client leaving mid-request crashes nothing and aborts the app',
    timeoutMs: 40_000,
    run: bothApps((ctx, app) => clientLeaves(ctx, app, leaveMidRequest, 'mid-request')),
  },
  {
    group,
    name: 'a client leaving mid-response crashes nothing and aborts the app',
    timeoutMs: 40_000,
    run: bothApps((ctx, app) => clientLeaves(ctx, app, leaveMidResponse, 'mid-response')),
  },
]
