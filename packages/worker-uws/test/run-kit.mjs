// Runs the whole @gu/worker-testkit against this class. Every check must pass, except the gaps
// README.md documents (uWS 20.30's parser): those must fail for
// the documented reason, and are reported when they start to pass (an upstream build, a new core).
// The strict corpus is one check of many cases: each failing case must be a listed gap, failing
// the listed way; any other failing case fails the run.
import { fileURLToPath } from 'node:url'
import { runTestkit } from '@gu/worker-testkit'
import { migratesQueuedConnections, NO_MIGRATION } from './migrate-req.mjs'

const KNOWN_GAPS = [
  {
    check: /chunk extensions and trailers/,
    reason: /server closed the connection/,
    why: 'uWS 20.30 closes the connection on a chunk extension (README: "Residual gaps")',
  },
  {
    check: /--header-map/,
    reason: /^no response within 5s$/,
    why: 'uWS 20.30 drops a request with "_" in a field name unanswered, whatever --header-map says (README: "Strict parsing")',
  },
  {
    check: /--limit-request-fields are settings/,
    reason: /server closed the connection/,
    why: 'uWS 20.30 closes the connection past its own 100 fields, so --limit-request-fields 0 cannot raise it (README: "Strict parsing")',
  },
  {
    check: /a silent client, and one trickling its head, get 408/,
    reason: /no response within/,
    why: 'uWS 20.30 times an incomplete request head itself (a fixed 10 s, HTTP_IDLE_TIMEOUT_S) and closes without a 408; gu never sees a uWS connection before its head is parsed, so --header-timeout cannot apply (README: "Slow clients")',
  },
  {
    check: /a slow TLS client gets its 408 over TLS/,
    reason: /got "" before the close, expected a 408/,
    why: 'the same over TLS: uWS 20.30 closes an incomplete head after its own 10 s without a 408 (README: "Slow clients"); nothing is ever sent in the clear',
  },
  {
    check: /at --worker-connections a new client gets in/,
    reason: /none of the 4 connections held was closed/,
    why: 'uWS 20.30 has no connection cap and no list of its connections: --worker-connections is not enforced, so every new client gets in and nothing is shed (README: "Slow clients")',
  },
  // Each uws worker has its own SO_REUSEPORT listener; without tcp_migrate_req=1 a stopping one's
  // queued connections are reset by the kernel. .ci/run sets it, as the README tells deployers to.
  ...(migratesQueuedConnections() ? [] : [{
    check: /under a steady load fails no request/,
    reason: /ECONNRESET/,
    why: NO_MIGRATION,
  }]),
]

const ids = (text) => text.trim().split(/\s+/)
/** Corpus cases uWS 20.30 decides before gu sees the request (README: "Strict parsing"). */
const CORPUS_GAPS = [
  {
    failure: /got nothing within/,
    why: 'uWS 20.30 neither answers nor closes: it drops a request it cannot parse, and with it HTTP/1.0, absolute-form, asterisk-form, CONNECT, a missing Host, 100 or more fields, names with "_" and chunk extensions',
    cases: ids(`chunk-ext chunk-ext-bad-char chunk-ext-bare-cr chunk-ext-bare-lf chunk-ext-empty-name chunk-ext-no-value chunk-ext-on-last chunk-size-not-hex
      conn-http10 expect-http10 field-all-tchars field-bare-cr-value field-bare-lf-end field-bare-lf-value field-leading-space-first field-no-colon
      field-nonascii-name field-obs-fold-space field-obs-fold-tab field-paren-in-name field-slash-in-name field-space-before-colon field-space-in-name
      field-tab-before-colon field-underscore-beside-dash field-underscore-dropped host-missing-1.0 host-missing-1.1 limit-100-fields limit-101-fields
      line-bare-cr line-bare-lf line-bom line-ctl-in-target line-leading-crlf line-method-tab line-no-target line-no-version line-relative-target
      line-space-in-target line-trailing-space line-two-spaces line-version-0.9 line-version-1.2 line-version-2.0 line-version-3.0 line-version-9.9
      line-version-garbage line-version-long-minor line-version-lowercase pipeline-good-then-bad pipeline-http10-keepalive-then-bad
      pipeline-http10-then-bad pipeline-two-good-then-bad target-absolute-form target-absolute-other-host target-asterisk-get target-asterisk-options
      target-asterisk-post target-authority-connect target-authority-connect-ipv6 target-authority-get target-connect-no-port te-http10
      ${Array.from({ length: 33 }, (_, i) => i).filter((c) => c !== 9 && c !== 10 && c !== 13 && c !== 32).map((c) => c.toString(16).padStart(2, '0')).concat(['7f']).map((h) => `field-ctl-${h}-in-name field-ctl-${h}-in-value`).join(' ')}`).filter((id) => id !== 'field-ctl-7f-in-value'),
  },
  {
    failure: /got the connection closed/,
    why: 'uWS 20.30 closes the connection without an answer (safe, but no 400/431/501): bad Content-Length, CL with TE, unknown methods, over its header limit',
    cases: ids(`chunk-ext-quoted chunk-size-0x chunk-size-negative chunk-size-overflow cl-and-te cl-decimal cl-hex cl-letters cl-list-different cl-list-same
      cl-negative cl-overflow cl-plus cl-space-inside limit-2500-fields line-lowercase-method line-method-bad-char line-unknown-method method-propfind
      method-purge pipeline-bad-body-after-good te-and-cl te-gzip-only`),
  },
  {
    failure: /from the app, expected/,
    why: 'uWS 20.30 accepts malformed chunk lines, DEL in values and empty names, and reads trailers without handing them over, so gu cannot check them; a chunked body past --limit-request-body is not cut on uws yet',
    cases: ids(`chunk-data-bare-lf chunk-data-lf-cr chunk-data-no-crlf chunk-data-too-long chunk-size-bare-lf chunk-size-empty chunk-size-leading-space
      chunk-size-trailing-space field-ctl-7f-in-value field-empty-name limit-body-chunked-over trailer-ctl trailer-forbidden-authorization
      trailer-forbidden-cache-control trailer-forbidden-content-encoding trailer-forbidden-content-length trailer-forbidden-content-type
      trailer-forbidden-expect trailer-forbidden-host trailer-forbidden-range trailer-forbidden-trailer trailer-forbidden-transfer-encoding
      trailer-obs-fold trailer-space-before-colon`),
  },
  { failure: /was 100, expected 413/, why: 'uWS 20.30 sends 100 Continue itself, before gu sees the request', cases: ['limit-body-over-continue'] },
  { failure: /stayed open/, why: 'uWS 20.30 goes on reading requests pipelined after Connection: close', cases: ['pipeline-close-stops'] },
]
const CORPUS_CHECK = /request corpus/

/** The corpus's failing cases that are not gaps (or not failing the gap's way), and the gaps that passed. */
function corpusVerdict(result) {
  const lines = (result.reason ?? '').split('\n').slice(1).map((line) => line.trim()).filter(Boolean)
  const failed = new Set()
  const unexpected = []
  for (const line of lines) {
    const id = line.split(' ')[0]
    failed.add(id)
    if (!CORPUS_GAPS.some((gap) => gap.cases.includes(id) && gap.failure.test(line))) unexpected.push(line)
  }
  const nowPass = CORPUS_GAPS.flatMap((gap) => gap.cases).filter((id) => !failed.has(id))
  return { unexpected, nowPass, known: failed.size - unexpected.length }
}

const workerClass = fileURLToPath(new URL('../dist/index.js', import.meta.url))
let unexpected = 0
const report = await runTestkit({
  workerClass,
  // GU_TESTKIT_ONLY=strict,http: a subset while working on one part (the test script runs all).
  only: process.env.GU_TESTKIT_ONLY?.split(","),
  onResult(result) {
    const gap = KNOWN_GAPS.find((g) => g.check.test(result.name))
    const title = `${result.group}: ${result.name}`
    if (CORPUS_CHECK.test(result.name)) {
      const { unexpected: wrong, nowPass, known } = corpusVerdict(result)
      const passing = nowPass.length ? ` — ${nowPass.length} listed gap(s) now pass, update README and this list: ${nowPass.join(' ')}` : ''
      if (wrong.length === 0) return void process.stdout.write(`~ ${title} — ${known} known gap case(s) (README: "Strict parsing")${passing}\n`)
      unexpected++
      return void process.stdout.write(`✗ ${title} — ${wrong.length} case(s) failed that are not known gaps:\n${wrong.map((line) => `    ${line}`).join('\n')}\n${(result.details ?? '').replace(/^/gm, '    ')}\n`)
    }
    if (result.ok) {
      process.stdout.write(`✓ ${title} (${(result.ms / 1000).toFixed(1)}s)${gap ? ' — a documented gap now passes: update README and this list' : ''}\n`)
    } else if (gap && gap.reason.test(result.reason ?? '')) {
      process.stdout.write(`~ ${title} — known gap: ${gap.why}\n`)
    } else {
      unexpected++
      process.stdout.write(`✗ ${title} — ${result.reason}\n${(result.details ?? '').replace(/^/gm, '    ')}\n`)
    }
  },
})
process.stdout.write(`testkit: ${report.passed} checks passed, ${report.failed - unexpected} known gap(s), ${unexpected} unexpected failure(s), in ${(report.ms / 1000).toFixed(1)}s\n`)
process.exitCode = unexpected > 0 ? 1 : 0
