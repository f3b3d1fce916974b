// The kit must be able to fail: each deliberately broken class in test/fixtures fails the check
// for its defect, with a reason that names the problem. One group per class keeps it quick.
import { spawn } from 'node:child_process'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { type CheckResult, runTestkit } from '../src/index.js'

const here = dirname(fileURLToPath(import.meta.url))
const PACKAGE_DIR = resolve(here, '..')
const fixture = (name: string) => join(here, 'fixtures', name)

function result(results: readonly CheckResult[], name: RegExp): CheckResult {
  const found = results.find((r) => name.test(r.name))
  if (!found) throw new Error(`no check matching ${name} ran: ${results.map((r) => r.name).join('; ')}`)
  return found
}

describe('the testkit against broken worker classes', () => {
  it('fails a class that never calls worker.ready(): it never reported ready', async () => {
    const report = await runTestkit({ workerClass: fixture('never-ready.mjs'), only: ['boot'] })
    const ready = result(report.results, /reports ready/)
    expect(ready.ok).toBe(false)
    expect(ready.reason).toMatch(/never reported ready/)
    expect(ready.reason).toMatch(/worker\.ready\(\)/)
    // Without ready() there is no heartbeat either: --timeout kills the idle worker.
    const heartbeat = result(report.results, /heartbeat/)
    expect(heartbeat.ok).toBe(false)
    expect(heartbeat.reason).toMatch(/WORKER TIMEOUT/)
    // Failing checks carry gu's output for --verbose.
    expect(ready.details).toMatch(/Booting worker with pid/)
  })

  it('fails a class that ignores the stop signal: TERM makes the arbiter wait out graceful-timeout', async () => {
    const report = await runTestkit({ workerClass: fixture('ignores-stop.mjs'), only: ['lifecycle'] })
    const term = result(report.results, /^TERM/)
    expect(term.ok).toBe(false)
    expect(term.reason).toMatch(/the arbiter did not exit within [\d.]+s of the last response/)
    expect(term.reason).toMatch(/--graceful-timeout/)
    const accepting = result(report.results, /stops accepting/)
    expect(accepting.ok).toBe(false)
    expect(accepting.reason).toMatch(/kept accepting after worker\.stopSignal aborted/)
    const orphaned = result(report.results, /arbiter is SIGKILLed/)
    expect(orphaned.ok).toBe(false)
    expect(orphaned.reason).toMatch(/still running/)
    // INT and QUIT are the runtime's to honour: they pass even for this class.
    expect(result(report.results, /^INT/).ok).toBe(true)
  })

  it('fails a class that calls the app without the runtime (no access log, no hooks), from the CLI', async () => {
    const { code, stdout } = await runCli(['--worker-class', './test/fixtures/no-access-log.mjs', '--only', 'runtime,metrics'])
    const lines = stdout.trimEnd().split('\n')
    expect(code).toBe(1)
    expect(lines).toContainEqual(expect.stringMatching(/^✗ runtime: one access-log line per request, with the right atoms \(node app\) — no access-log line was written/))
    expect(lines).toContainEqual(expect.stringMatching(/^✗ runtime: preRequest and postRequest .* — neither preRequest nor postRequest ran/))
    expect(lines).toContainEqual(expect.stringMatching(/^✗ runtime: a request the client aborted is logged .* — no access-log line within 5s/))
    // Nor does the arbiter hear of its requests: its metrics count none of them.
    expect(lines).toContainEqual(expect.stringMatching(/^✗ metrics: the arbiter's Prometheus endpoint sums .* — (no gu_http_requests_total\{method="PUT"|gu_http_requests_total\{method="PUT",status_class="2xx"\} is 0)/))
    expect(lines.at(-1)).toBe('0 passed, 5 failed')
  })
})

describe('gu-testkit usage', () => {
  it('refuses an unknown group, naming the groups there are', async () => {
    const { code, stderr } = await runCli(['--worker-class', './test/fixtures/no-access-log.mjs', '--only', 'bogus'])
    expect(code).toBe(2)
    expect(stderr).toMatch(/unknown group bogus: the groups are boot, interfaces, timeout, lifecycle, http, runtime, metrics, slow-clients, strict, proxy, websocket, tls$/m)
  })

  it('says so when the worker class is not found', async () => {
    const { code, stderr } = await runCli(['--worker-class', './no/such/class.mjs'])
    expect(code).toBe(2)
    expect(stderr).toMatch(/worker class '.\/no\/such\/class.mjs' not found/)
  })
})

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [join(PACKAGE_DIR, 'bin', 'gu-testkit.js'), ...args], { cwd: PACKAGE_DIR, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.on('exit', (code) => resolvePromise({ code, stdout, stderr }))
  })
}
