// The control socket and `gu ctl`: every command, against a live arbiter, a stopped one and a
// stale socket file, and bad input that must never take the arbiter down.
import { spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, renameSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { ctl, ctlJson, rawControl } from '../src/ctl-helpers.js'
import { GU_BIN, Gu, PID_APP, asyncArgs, cleanupApps, isAlive, killAll, makeApp, request, sleep } from '../src/harness.js'
import { waitUntil, within } from '../src/process-helpers.js'

afterEach(killAll)
afterAll(cleanupApps)

interface Status {
  pid: number
  generation: number
  workers: { desired: number; alive: number }
  upgrade: { newArbiterPid?: number; oldArbiterPid?: number }
}
interface Workers {
  workers: Array<{ pid: number; requests: number | null; inFlight: number | null; rss: number | null; state: string }>
}

async function startGu(...extra: string[]) {
  const dir = makeApp({ 'app.mjs': PID_APP })
  const socket = join(dir, 'ctl.sock')
  const gu = new Gu(asyncArgs('app.mjs:app', '--control-socket', socket, ...extra), { cwd: dir })
  if (extra.includes('--error-logfile')) await waitUntil('the control socket', () => existsSync(socket))
  else await gu.waitFor(/Control socket at: /)
  return { dir, socket, gu }
}

describe('gu ctl against a running arbiter', () => {
  it('status, workers, scale N/+N/-N and reopen-logs, in text and --json; the socket is 0600', async () => {
    const { dir, socket, gu } = await startGu('-w', '2', '--error-logfile', 'error.log')
    const errorLog = join(dir, 'error.log')
    await waitUntil('the workers to boot', () => existsSync(errorLog) && (readFileSync(errorLog, 'utf8').match(/Booting worker/g) ?? []).length === 2, 15_000)
    expect(statSync(socket).mode & 0o777).toBe(0o600)
    expect(statSync(socket).isSocket()).toBe(true)

    const text = await ctl(socket, 'status')
    expect(text.code).toBe(0)
    expect(text.stdout).toContain(`pid ${gu.pid}`)
    expect(text.stdout).toMatch(/workers\s+2 alive, 2 wanted/)
    const status = await ctlJson<Status>(socket, 'status')
    expect(status).toMatchObject({ pid: gu.pid, generation: 1, workers: { desired: 2, alive: 2 } })

    const url = (readFileSync(errorLog, 'utf8').match(/Listening at: (http:\/\/\S+) /) ?? [])[1]!
    for (let i = 0; i < 5; i++) expect((await request(url)).status).toBe(200)
    // The workers report once a second.
    const rows = await waitUntil('the workers to report 5 requests', async () => {
      const { workers } = await ctlJson<Workers>(socket, 'workers')
      return workers.reduce((n, w) => n + (w.requests ?? 0), 0) === 5 ? workers : undefined
    })
    expect(rows).toHaveLength(2)
    for (const row of rows) {
      expect(row.state).toBe('serving')
      expect(row.inFlight).toBe(0)
      expect(row.rss).toBeGreaterThan(10 * 1024 * 1024)
    }
    const table = await ctl(socket, 'workers')
    expect(table.stdout).toMatch(/^PID\s+AGE\s+GEN\s+UPTIME\s+REQUESTS\s+IN-FLIGHT\s+CONNS\s+RSS/)
    for (const row of rows) expect(table.stdout).toContain(String(row.pid))

    expect((await ctl(socket, 'scale', '+2')).stdout.trim()).toBe('workers: 2 → 4')
    await waitUntil('4 workers', async () => (await ctlJson<Status>(socket, 'status')).workers.alive === 4, 15_000)
    expect((await ctl(socket, 'scale', '-1')).stdout.trim()).toBe('workers: 4 → 3')
    expect((await ctl(socket, 'scale', '1')).stdout.trim()).toBe('workers: 3 → 1')
    await waitUntil('1 worker', async () => (await ctlJson<Status>(socket, 'status')).workers.alive === 1, 15_000)
    const tooFew = await ctl(socket, 'scale', '-1')
    expect(tooFew.code).toBe(1)
    expect(tooFew.stderr).toMatch(/would leave fewer than 1/)

    // reopen-logs is USR1: the error log, moved away, is written anew.
    renameSync(errorLog, `${errorLog}.1`)
    expect((await ctl(socket, 'reopen-logs')).code).toBe(0)
    await sleep(300)
    await ctl(socket, 'scale', '2')
    await waitUntil('the reopened error log', () => existsSync(errorLog) && readFileSync(errorLog, 'utf8').includes('Number of workers: 2 (was 1)'))
    expect(readFileSync(`${errorLog}.1`, 'utf8')).toContain('gu ctl: reopen-logs')
  })

  it('malformed commands get an error; the arbiter keeps serving and answering', async () => {
    const { socket, gu } = await startGu()
    await gu.waitForWorkers(1)
    const url = await gu.url()
    const answers = await rawControl(socket, 'not json\n{"command":"launch"}\n{"nope":1}\n[]\n{"command":"scale","args":[7]}\n{"command":"stop","args":["now"]}\n{"command":"status"}\n')
    expect(answers).toHaveLength(7)
    const replies = answers.map((line) => JSON.parse(line) as { ok: boolean; error?: string })
    expect(replies.slice(0, 6).every((r) => r.ok === false && typeof r.error === 'string')).toBe(true)
    expect(replies[0]!.error).toMatch(/not JSON/)
    expect(replies[1]!.error).toMatch(/unknown command 'launch'/)
    expect(replies[5]!.error).toMatch(/stop takes only --graceful/)
    expect(replies[6]!.ok).toBe(true)
    // A line past the limit is refused and the connection closed.
    const huge = await rawControl(socket, 'x'.repeat(100_000))
    expect(huge[0]).toMatch(/longer than/)
    // A client that connects and goes, mid-line.
    await rawControl(socket, '{"command":"sta', 200)
    const cli = await ctl(socket, 'frobnicate')
    expect(cli.code).toBe(1)
    expect(cli.stderr).toMatch(/unknown command 'frobnicate'; the commands are status, workers/)
    expect((await request(url)).status).toBe(200)
    expect((await ctlJson<Status>(socket, 'status')).pid).toBe(gu.pid)
    expect(gu.child.exitCode).toBeNull()
  })

  it('reload starts a new generation, as HUP does', async () => {
    const { socket, gu } = await startGu('-w', '2')
    const before = await gu.waitForWorkers(2)
    expect((await ctl(socket, 'reload')).code).toBe(0)
    await gu.waitFor(/Handling signal: hup/)
    const after = await waitUntil('the new generation', async () => {
      const { workers } = await ctlJson<Workers>(socket, 'workers')
      return workers.length === 2 && workers.every((w) => !before.includes(w.pid) && w.state === 'serving') ? workers : undefined
    }, 15_000)
    expect(after).toHaveLength(2)
    expect((await ctlJson<Status>(socket, 'status')).generation).toBe(2)
  })

  it('stop --graceful lets an in-flight request finish; then gu ctl says no arbiter is there', async () => {
    const { socket, gu } = await startGu('--graceful-timeout', '10')
    await gu.waitForWorkers(1)
    const slow = request(`${await gu.url()}/slow?ms=1500`)
    await sleep(300)
    const stop = await ctl(socket, 'stop', '--graceful')
    expect(stop.code).toBe(0)
    expect(stop.stdout).toMatch(/stopping gracefully/)
    await gu.waitFor(/Handling signal: term/)
    expect((await slow).status).toBe(200)
    expect(await within(10_000, gu.exited, 'arbiter exit')).toEqual({ code: 0, signal: null })
    expect(existsSync(socket)).toBe(false)
    for (const command of ['status', 'workers', 'scale 2', 'reload', 'upgrade', 'stop', 'reopen-logs', 'top']) {
      const result = await ctl(socket, ...command.split(' '))
      expect(result.code, command).toBe(1)
      expect(result.stderr.trim(), command).toBe(`gu ctl: no control socket at ${socket}: is gu running with this --control-socket? (pass -s PATH to point at another)`)
    }
  })

  it('stop stops at once, cutting a slow request', async () => {
    const { socket, gu } = await startGu('--graceful-timeout', '20')
    await gu.waitForWorkers(1)
    const slow = request(`${await gu.url()}/slow?ms=10000`).then(() => 'ok', () => 'cut')
    await sleep(300)
    expect((await ctl(socket, 'stop')).stdout).toMatch(/stopping now/)
    expect(await within(5000, gu.exited, 'arbiter exit')).toEqual({ code: 0, signal: null })
    expect(await slow).toBe('cut')
  })
})

describe('a stale control socket', () => {
  it('gu ctl says it is stale; the next gu replaces it', async () => {
    const { socket, gu } = await startGu()
    const [worker] = await gu.waitForWorkers(1)
    gu.kill()
    await gu.exited
    await waitUntil('the worker to go', () => !isAlive(worker!))
    expect(statSync(socket).isSocket()).toBe(true)
    const stale = await ctl(socket, 'status')
    expect(stale.code).toBe(1)
    expect(stale.stderr).toMatch(new RegExp(`${socket} is stale: no arbiter is listening on it`))
    const next = new Gu(asyncArgs('app.mjs:app', '--control-socket', socket), { cwd: join(socket, '..') })
    await next.waitFor(/Control socket at: /)
    expect((await ctlJson<Status>(socket, 'status')).pid).toBe(next.pid)
  })

  it('a second arbiter leaves a live control socket alone and runs without one', async () => {
    const { socket, gu } = await startGu()
    const second = new Gu(asyncArgs('app.mjs:app', '--control-socket', socket), { cwd: join(socket, '..') })
    await second.waitFor(/another arbiter answers at .*; running without a control socket/)
    await second.waitForWorkers(1)
    expect((await ctlJson<Status>(socket, 'status')).pid).toBe(gu.pid)
  })

  it('--no-control-socket makes none, and gu ctl says so', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const gu = new Gu(asyncArgs('app.mjs:app', '--no-control-socket'), { cwd: dir })
    await gu.waitForWorkers(1)
    expect(existsSync(join(dir, 'gu.ctl'))).toBe(false)
    expect(gu.log).not.toMatch(/Control socket/)
    const result = await ctl(join(dir, 'gu.ctl'), 'status')
    expect(result.stderr).toMatch(/no control socket at/)
  })

  it('by default it is gu.ctl in --chdir, and gu ctl run there finds it', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const gu = new Gu(asyncArgs('app.mjs:app', '--chdir', dir))
    await gu.waitFor(/Control socket at: /)
    expect(statSync(join(dir, 'gu.ctl')).isSocket()).toBe(true)
    const status = await runCtlIn(dir, ['status', '--json'])
    expect(JSON.parse(status).pid).toBe(gu.pid)
  })
})

describe('permissions', () => {
  // Needs root (to run gu ctl as nobody) and a checkout nobody can read.
  it.skipIf(process.getuid?.() !== 0)('another user cannot connect to a 0600 socket; with --control-socket-mode 0666 they can', async (context) => {
    if ((await runCtlAs(65534, ['--help'])).code !== 0) return context.skip()
    const dir = mkdtempSync(join(tmpdir(), 'gu-ctl-'))
    chmodSync(dir, 0o755)
    const app = makeApp({ 'app.mjs': PID_APP })
    const privateSocket = join(dir, 'private.sock')
    const openSocket = join(dir, 'open.sock')
    const a = new Gu(asyncArgs('app.mjs:app', '--control-socket', privateSocket), { cwd: app })
    const b = new Gu(asyncArgs('app.mjs:app', '--control-socket', openSocket, '--control-socket-mode', '0666'), { cwd: app })
    await a.waitFor(/Control socket at: /)
    await b.waitFor(/Control socket at: /)
    expect(statSync(openSocket).mode & 0o777).toBe(0o666)
    const denied = await runCtlAs(65534, ['-s', privateSocket, 'status'])
    expect(denied.code).toBe(1)
    expect(denied.stderr).toMatch(/permission denied connecting to .*private\.sock/)
    const allowed = await runCtlAs(65534, ['-s', openSocket, 'status', '--json'])
    expect(JSON.parse(allowed.stdout).pid).toBe(b.pid)
  })
})

describe('gu ctl upgrade', () => {
  it('starts a new arbiter, which takes over the control socket', async () => {
    const { socket, gu } = await startGu('-w', '1')
    await gu.waitForWorkers(1)
    expect((await ctl(socket, 'upgrade')).stdout).toMatch(/upgrading/)
    const newPid = Number((await gu.waitFor(/Started a new arbiter \(pid:(\d+)\)/))[1])
    try {
      const status = await waitUntil('the new arbiter on the control socket', async () => {
        const s = await ctlJson<Status>(socket, 'status').catch(() => undefined)
        return s?.pid === newPid ? s : undefined
      }, 15_000)
      expect(status.upgrade.oldArbiterPid).toBe(gu.pid)
      gu.signal('SIGTERM')
      await within(15_000, gu.exited, 'old arbiter exit')
      // The old arbiter leaves the socket file it no longer owns.
      expect((await ctlJson<Status>(socket, 'status')).pid).toBe(newPid)
      expect((await ctl(socket, 'stop')).code).toBe(0)
      await waitUntil('the new arbiter to exit', () => !isAlive(newPid), 15_000)
    } finally {
      if (isAlive(newPid)) process.kill(newPid, 'SIGKILL')
    }
  })
})

describe('gu ctl top', () => {
  it('refreshes a view of the workers until Ctrl-C, and stops when the arbiter goes', async () => {
    const { socket, gu } = await startGu('-w', '2')
    const workers = await gu.waitForWorkers(2)
    const top = spawn(process.execPath, [GU_BIN, 'ctl', '-s', socket, 'top'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    top.stdout.on('data', (d) => (out += d))
    const exited = new Promise<number | null>((resolve) => top.on('exit', (code) => resolve(code)))
    await waitUntil('two frames', () => (out.match(/arbiter \d+, up/g) ?? []).length >= 2, 10_000)
    expect(out).toContain(`arbiter ${gu.pid}, up`)
    for (const pid of workers) expect(out).toContain(String(pid))
    expect(out).toMatch(/CPU/)
    top.kill('SIGINT')
    expect(await within(3000, exited, 'top exit')).toBe(0)

    const second = spawn(process.execPath, [GU_BIN, 'ctl', '-s', socket, 'top'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let secondOut = ''
    second.stdout.on('data', (d) => (secondOut += d))
    const secondExit = new Promise<number | null>((resolve) => second.on('exit', (code) => resolve(code)))
    await waitUntil('a frame', () => secondOut.includes('arbiter'), 10_000)
    await gu.stop('SIGTERM')
    expect(await within(5000, secondExit, 'top exit once the arbiter went')).toBe(0)
    expect(secondOut).toMatch(/closed the connection|lost the connection/)
  })
})

function runCtlIn(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [GU_BIN, 'ctl', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err += d))
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`gu ctl exited ${code}: ${err}`))))
  })
}

function runCtlAs(uid: number, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [GU_BIN, 'ctl', ...args], { cwd: tmpdir(), uid, gid: uid, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('exit', (code) => resolve({ code, stdout, stderr }))
  })
}
