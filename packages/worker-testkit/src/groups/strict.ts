// strict: the raw-byte corpus (corpus/cases.ts), every case against one server, answered as
// RFC 9110/9112 and gu's limits say. One failure line per case, so a class's runner can tell
// which cases fail (uWS parses HTTP itself: its runner lists the cases it cannot pass).
import { fixtureAppModuleFile } from '../fixtures.js'
import { BODY_LIMIT, CASES } from '../corpus/cases.js'
import { playCase } from '../corpus/play-case.js'
import { ensure, fail, show } from '../ensure.js'
import { RawConnection } from '../raw-connection.js'
import type { RawResponse } from '../response-parser.js'
import type { Check } from '../types.js'
import { describeError } from '../wait.js'

const group = 'strict'
/** Cases played at once: many connections, one server. */
const PARALLEL = 16

/** The ids of failed cases in a corpus check's reason: `… failed [id id …]: …`. */
export const FAILED_CASES = /failed \[([^\]]*)\]/

const CORPUS_APP = { module: `${fixtureAppModuleFile('corpus-app.mjs')}:app` }

const corpus: Check = {
  group,
  name: `the request corpus (${CASES.length} raw-byte cases from RFC 9110/9112) gets the answers the RFCs require`,
  timeoutMs: 120_000,
  async run(ctx) {
    const gu = await ctx.start({ app: CORPUS_APP, args: ['--limit-request-body', String(BODY_LIMIT)] })
    const failures: Array<[id: string, why: string]> = []
    let next = 0
    const worker = async () => {
      while (next < CASES.length) {
        const c = CASES[next++]!
        const why = await playCase(gu.port, c).catch((error: Error) => `the case could not be played: ${describeError(error)}`)
        if (why) failures.push([c.id, `${c.id} (${c.rfc}): ${why}`])
      }
    }
    await Promise.all(Array.from({ length: PARALLEL }, worker))
    if (/Uncaught exception|Unhandled rejection/.test(gu.output)) failures.push(['worker-error', 'worker-error: the worker logged an uncaught error'])
    if (failures.length === 0) return
    failures.sort(([a], [b]) => a.localeCompare(b))
    throw new Error(`${failures.length} of ${CASES.length} cases failed [${failures.map(([id]) => id).join(' ')}]:\n${failures.map(([, why]) => `  ${why}`).join('\n')}`)
  },
}


/** One request on a fresh connection: its first response, or a failure that says what happened. */
async function exchange(port: number, request: string): Promise<RawResponse> {
  const conn = await RawConnection.open(port)
  try {
    conn.write(Buffer.from(request, 'latin1'))
    const res = await conn.readResponse('GET', 5000)
    return res ?? fail(`no response within 5s${conn.closed ? ' (the server closed the connection)' : ''}`)
  } finally {
    conn.destroy()
  }
}

const seenFields = (res: RawResponse) => (JSON.parse(res.body.toString()) as { rawHeaders: string[] }).rawHeaders

const headerMap: Check = {
  group,
  name: "--header-map: 'refuse' answers 400 to a name with '_', 'dangerous' hands it to the app",
  timeoutMs: 30_000,
  async run(ctx) {
    const request = 'GET / HTTP/1.1\r\nHost: a.example\r\nX_User: admin\r\n\r\n'
    const refusing = await ctx.start({ app: CORPUS_APP, args: ['--header-map', 'refuse'] })
    const refused = await exchange(refusing.port, request)
    ensure(refused.status === 400, `with --header-map refuse, a request with X_User got ${refused.status}, expected 400`)
    const keeping = await ctx.start({ app: CORPUS_APP, args: ['--header-map', 'dangerous'] })
    const kept = await exchange(keeping.port, request)
    ensure(kept.status === 200, `with --header-map dangerous, a request with X_User got ${kept.status}, expected the app's 200`)
    ensure(seenFields(kept).includes('X_User'), `with --header-map dangerous, the app saw ${show(seenFields(kept).join(' '))}, without X_User`)
  },
}

const limitSettings: Check = {
  group,
  name: '--limit-request-line and --limit-request-fields are settings: 414 past a line of 100; with no field limit, 2,500 fields all reach the app',
  timeoutMs: 30_000,
  async run(ctx) {
    const gu = await ctx.start({ app: CORPUS_APP, args: ['--limit-request-line', '100', '--limit-request-fields', '0'] })
    const line = (length: number) => `GET /${'a'.repeat(length - 'GET / HTTP/1.1'.length)} HTTP/1.1`
    const atLimit = await exchange(gu.port, `${line(100)}\r\nHost: a.example\r\n\r\n`)
    ensure(atLimit.status === 200, `a request line of 100 bytes with --limit-request-line 100 got ${atLimit.status}, expected 200`)
    const over = await exchange(gu.port, `${line(101)}\r\nHost: a.example\r\n\r\n`)
    ensure(over.status === 414, `a request line of 101 bytes with --limit-request-line 100 got ${over.status}, expected 414`)
    const fields = Array.from({ length: 2499 }, (_, i) => `X-F${i}: ${i}\r\n`).join('')
    const many = await exchange(gu.port, `GET / HTTP/1.1\r\nHost: a.example\r\n${fields}\r\n`)
    ensure(many.status === 200, `2,500 fields with --limit-request-fields 0 got ${many.status}, expected 200`)
    const count = seenFields(many).length / 2
    ensure(count === 2500, `2,500 fields with --limit-request-fields 0 reached the app as ${count}: fields were dropped`)
  },
}

export const strictChecks: readonly Check[] = [corpus, headerMap, limitSettings]
