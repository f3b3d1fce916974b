import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { GU_BIN, cleanupApps, isAlive, makeApp, request, sleep } from '../src/harness.js'
import { killArbiters, readPid, startLoad, versionApp, waitForWorkersOf, workersOf } from '../src/load-helpers.js'
import { listeningAt, listeningSocket, waitUntil, within } from '../src/process-helpers.js'

/** Arbiters this file started (the activated one and the one USR2 started): killed after each test. */
const started = new Set<number>()
afterEach(() => killArbiters(started))
afterAll(cleanupApps)

/** Starts gu as systemd does (see socket-activation.test.ts): descriptor 3, LISTEN_FDS=1, LISTEN_PID=$$. */
function activate(dir: string, fd: number, args: string[]) {
  const script = 'LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" "$@"'
  const child = spawn('/bin/sh', ['-c', script, process.execPath, GU_BIN, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe', fd] })
  let log = ''
  child.stdout!.on('data', (d) => (log += d))
  child.stderr!.on('data', (d) => (log += d))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  started.add(child.pid!)
  return { child, pid: child.pid!, exited, log: () => log }
}

describe('USR2 under systemd socket activation', () => {
  it('the new arbiter serves the activated socket, and nothing binds the configured address', async () => {
    const dir = makeApp({ 'app.mjs': versionApp('v1') })
    const pidfile = join(dir, 'gu.pid')
    const activated = await listeningSocket()
    const configured = await listeningSocket()
    configured.server.close()
    const gu = activate(dir, activated.fd, ['app.mjs:app', '-k', 'async', '-w', '2', '-p', pidfile, '-b', `127.0.0.1:${configured.port}`])
    await new Promise((resolve) => gu.child.once('spawn', resolve))
    // systemd keeps its copy; the test's copy would accept connections itself, so it goes.
    activated.server.close()
    const url = `http://127.0.0.1:${activated.port}/`
    const oldWorkers = await waitForWorkersOf(gu.pid, 2, gu.log)
    const load = startLoad(url, { durationMs: 6000 })
    await sleep(300)

    gu.child.kill('SIGUSR2')
    const newPid = await waitUntil('the new arbiter to write its pidfile', () => readPid(`${pidfile}.2`), 15_000)
    started.add(newPid)
    await waitForWorkersOf(newPid, 2, gu.log)
    expect(gu.log()).toContain(`Started by USR2 from the arbiter with pid ${gu.pid}`)
    const listening = [...gu.log().matchAll(/Listening at: (\S+) \((\d+)\)/g)].filter((m) => Number(m[2]) === newPid).map((m) => m[1])
    expect(listening).toEqual([`http://127.0.0.1:${activated.port}`])
    expect(listeningAt(gu.log())).not.toContain(`http://127.0.0.1:${configured.port}`)

    gu.child.kill('SIGWINCH')
    await waitUntil('the old workers to exit', () => oldWorkers.every((pid) => !isAlive(pid)), 15_000)
    gu.child.kill('SIGTERM')
    expect(await within(10_000, gu.exited, 'old arbiter exit')).toEqual({ code: 0, signal: null })
    expect(isAlive(newPid)).toBe(true)
    await waitUntil('the pidfile to be renamed', () => readPid(pidfile) === newPid, 5000)

    const result = await load.done
    expect(result.errors).toEqual({})
    expect(result.ok).toBeGreaterThan(100)
    // The activated socket is the new arbiter's: its workers answer there.
    const newWorkers = workersOf(newPid)
    expect(newWorkers).toHaveLength(2)
    expect(newWorkers).toContain(Number((await request(url)).body.split(' ')[1]))
    // Nothing bound the configured address, neither arbiter.
    await expect(request(`http://127.0.0.1:${configured.port}/`, { timeoutMs: 1000 })).rejects.toThrow(/ECONNREFUSED/)

    // A HUP in the new arbiter keeps serving the activated socket (its binds stay replaced).
    process.kill(newPid, 'SIGHUP')
    await waitUntil('the HUP generation to boot', () => workersOf(newPid).length === 2 && !workersOf(newPid).some((p) => newWorkers.includes(p)), 15_000)
    expect((await request(url)).body).toMatch(/^v1 /)
    await expect(request(`http://127.0.0.1:${configured.port}/`, { timeoutMs: 1000 })).rejects.toThrow(/ECONNREFUSED/)

    process.kill(newPid, 'SIGTERM')
    await waitUntil('the new arbiter to exit', () => !isAlive(newPid), 15_000)
    expect(existsSync(pidfile)).toBe(false)
  })
})
