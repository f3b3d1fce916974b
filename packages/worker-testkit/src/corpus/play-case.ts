// Plays one corpus case on a fresh connection and says how the server's behaviour differs from
// the case's expectation (undefined when it doesn't).
import { RawConnection } from '../raw-connection.js'
import { MalformedResponse, type RawResponse } from '../response-parser.js'
import type { CorpusCase, Seen } from './cases.js'

const RESPONSE_MS = 2000
const CLOSE_MS = 1500

const saysClose = (res: RawResponse) => /\bclose\b/i.test(res.headers.connection ?? '')
const describe = (res: RawResponse) => `${res.status}${res.headers['x-corpus'] ? ' from the app' : ''}`

export async function playCase(port: number, c: CorpusCase): Promise<string | undefined> {
  const wrong = await playExpecting(port, c, c.expect, 'close' in c ? c.close : refuses(c.expect))
  if (!wrong || !c.or) return wrong
  return (await playExpecting(port, c, c.or.expect, refuses(c.or.expect))) ? wrong : undefined
}

/** A refusal ends the connection. */
function refuses(expect: CorpusCase['expect']): boolean {
  const last = expect.at(-1)
  return typeof last === 'number' && last >= 400
}

async function playExpecting(port: number, c: CorpusCase, expect: CorpusCase['expect'], closeWanted: boolean | undefined): Promise<string | undefined> {
  const conn = await RawConnection.open(port)
  try {
    conn.write(Buffer.from(c.send, 'latin1'))
    const method = /^\s*([A-Z]+)/.exec(c.send)?.[1] ?? 'GET'
    let last: RawResponse | undefined
    for (let i = 0; i < expect.length; i++) {
      const want = expect[i]!
      let res: RawResponse | undefined
      try {
        res = await conn.readResponse(method, RESPONSE_MS)
      } catch (error) {
        if (error instanceof MalformedResponse) return `response ${i + 1} was malformed: ${error.message}`
        throw error
      }
      if (!res) {
        // A class may end the connection after any response that said it would.
        if (last && saysClose(last) && conn.closed) return undefined
        return `expected ${want === 'app' ? 'the app' : want} as response ${i + 1}, got ${conn.closed ? 'the connection closed' : `nothing within ${RESPONSE_MS} ms`}`
      }
      const served = res.status === 200 && res.headers['x-corpus'] === 'served'
      if (want === 'app' ? !served : res.status !== want || res.headers['x-corpus']) return `response ${i + 1} was ${describe(res)}, expected ${want === 'app' ? 'the app' : want}`
      if (want === 'app' && c.sees) {
        const wrong = c.sees(JSON.parse(res.body.toString()) as Seen)
        if (wrong) return wrong
      }
      if (typeof want === 'number' && want >= 400 && /at (?:\S+ )?\(|node:internal/.test(res.body.toString())) return `the ${want} response carried a stack trace`
      last = res
    }
    if (closeWanted && !(await conn.waitForClose(CLOSE_MS))) return `the connection stayed open after the last response`
    return undefined
  } finally {
    conn.destroy()
  }
}
