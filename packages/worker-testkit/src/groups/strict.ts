// strict: the raw-byte corpus (corpus/cases.ts), every case against one server, answered as
// RFC 9110/9112 and gu's limits say. One failure line per case, so a class's runner can tell
// which cases fail (uWS parses HTTP itself: its runner lists the cases it cannot pass).
import { fixtureAppModuleFile } from '../fixtures.js'
import { BODY_LIMIT, CASES } from '../corpus/cases.js'
import { playCase } from '../corpus/play-case.js'
import type { Check } from '../types.js'
import { describeError } from '../wait.js'

const group = 'strict'
/** Cases played at once: many connections, one server. */
const PARALLEL = 16

/** The ids of failed cases in a corpus check's reason: `… failed [id id …]: …`. */
export const FAILED_CASES = /failed \[([^\]]*)\]/

const corpus: Check = {
  group,
  name: `the request corpus (${CASES.length} raw-byte cases from RFC 9110/9112) gets the answers the RFCs require`,
  timeoutMs: 120_000,
  async run(ctx) {
    const gu = await ctx.start({ app: { module: `${fixtureAppModuleFile('corpus-app.mjs')}:app` }, args: ['--limit-request-body', String(BODY_LIMIT)] })
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

export const strictChecks: readonly Check[] = [corpus]
