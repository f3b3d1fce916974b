import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { errorLines, expectOneLineError, holdPort } from '../src/cli-helpers.js'
import { PID_APP, asyncArgs, cleanupApps, killAll, makeApp, runGu } from '../src/harness.js'

afterEach(killAll)
afterAll(cleanupApps)

const app = () => makeApp({ 'app.mjs': PID_APP })
const run = (args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}) => runGu(args, { timeoutMs: 15_000, ...options })

describe('bad flags and values', () => {
  it('refuses an unknown flag and suggests the closest', async () => {
    const line = expectOneLineError(await run([...asyncArgs(), '--wokers', '2'], { cwd: app() }))
    expect(line).toBe("gu: error: unrecognized option '--wokers' — did you mean '--workers'?; see 'gu --help'")
  })

  it('refuses an unknown flag in GU_CMD_ARGS and says it came from there', async () => {
    const line = expectOneLineError(await run(asyncArgs(), { cwd: app(), env: { GU_CMD_ARGS: '--preloda' } }))
    expect(line).toBe("gu: error: unrecognized option '--preloda' — did you mean '--preload'?; see 'gu --help' (in GU_CMD_ARGS)")
  })

  it('refuses a bad value, naming the flag and what is accepted', async () => {
    const dir = app()
    expect(expectOneLineError(await run([...asyncArgs(), '-w', 'zero'], { cwd: dir }))).toBe("gu: error: -w: expected a whole number ≥ 1, got 'zero'")
    expect(expectOneLineError(await run([...asyncArgs(), '--log-level=loud'], { cwd: dir }))).toBe(
      "gu: error: --log-level: expected one of debug, info, warning, error, critical, got 'loud'",
    )
    expect(expectOneLineError(await run(['app.mjs:app', '-k', 'async', '-b', 'localhost:http'], { cwd: dir }))).toBe(
      "gu: error: -b: 'localhost:http' is not a valid address (the port must be 0-65535); use HOST, HOST:PORT, [IPv6]:PORT, unix:PATH or fd://N",
    )
    expect(expectOneLineError(await run([...asyncArgs(), '--access-logformat', '%(h)s %(nope)s'], { cwd: dir }))).toMatch(
      /^gu: error: --access-logformat: unknown access log atom '%\(nope\)s'; known atoms: h l u/,
    )
  })

  it('refuses a flag that is missing its value', async () => {
    expect(expectOneLineError(await run(['app.mjs:app', '--workers'], { cwd: app() }))).toBe('gu: error: option --workers needs a value (INT)')
    expect(expectOneLineError(await run(['app.mjs:app', '-b', '-w', '2'], { cwd: app() }))).toBe('gu: error: option -b needs a value (ADDRESS)')
  })

  it('refuses a missing APP_MODULE', async () => {
    const line = expectOneLineError(await run(['-k', 'async', '-b', '127.0.0.1:0'], { cwd: app() }))
    expect(line).toBe("gu: error: no APP_MODULE given: run 'gu [OPTIONS] module:export', e.g. 'gu app.js:app'")
  })

  it('refuses a --chdir that does not exist', async () => {
    const line = expectOneLineError(await run([...asyncArgs(), '--chdir', '/nonexistent/gu-dir'], { cwd: app() }))
    expect(line).toBe('gu: error: --chdir: cannot change to /nonexistent/gu-dir: ENOENT')
  })
})

describe('bad config files', () => {
  it('names the file and line of a syntax error in gu.config.mjs', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP, 'gu.config.mjs': `export default {\n  workers: 2,\n  timeout: = 3,\n}\n` })
    const line = expectOneLineError(await run(asyncArgs(), { cwd: dir }))
    expect(line).toContain(`cannot load config file ${dir}/gu.config.mjs: SyntaxError: `)
    expect(line).toContain(`${dir}/gu.config.mjs:3`)
  })

  it('names the file and line of a syntax error in gu.config.ts', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP, 'gu.config.ts': `const n: number = 2\n\nexport default { workers: n +* 1 }\n` })
    const line = expectOneLineError(await run(asyncArgs(), { cwd: dir }))
    expect(line).toContain(`cannot load config file ${dir}/gu.config.ts: `)
    expect(line).toContain(`${dir}/gu.config.ts:3`)
  })

  it('names the file of a config that throws', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP, 'gu.config.mjs': `throw new Error('no secrets here')\n` })
    const line = expectOneLineError(await run(asyncArgs(), { cwd: dir }))
    expect(line).toMatch(new RegExp(`^gu: error: cannot load config file ${dir}/gu\\.config\\.mjs: no secrets here`))
  })

  it('refuses an unknown key and suggests the closest', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP, 'gu.config.mjs': `export default { wokers: 2 }` })
    expect(expectOneLineError(await run(asyncArgs(), { cwd: dir }))).toBe(`gu: error: ${dir}/gu.config.mjs: unknown setting 'wokers' — did you mean 'workers'?`)
    const dir2 = makeApp({ 'app.mjs': PID_APP, 'gu.config.mjs': `export default { onStartin() {} }` })
    expect(expectOneLineError(await run(asyncArgs(), { cwd: dir2 }))).toBe(`gu: error: ${dir2}/gu.config.mjs: unknown setting 'onStartin' — did you mean 'onStarting'?`)
  })

  it('refuses command-line-only keys, a hook that is not a function, and a bad value', async () => {
    const cases: Array<[string, string]> = [
      [`export default { printConfig: true }`, "unknown setting 'printConfig'"],
      [`export default { onStarting: 3 }`, "hook 'onStarting' must be a function"],
      [`export default { bind: ['127.0.0.1:x'] }`, "bind: '127.0.0.1:x' is not a valid address"],
      [`export default 42`, 'must default-export an object (use defineConfig from @gu/core)'],
    ]
    for (const [text, message] of cases) {
      const dir = makeApp({ 'app.mjs': PID_APP, 'gu.config.mjs': text })
      expect(expectOneLineError(await run(asyncArgs(), { cwd: dir }))).toContain(message)
    }
  })

  it('refuses a -c file that does not exist', async () => {
    const dir = app()
    expect(expectOneLineError(await run([...asyncArgs(), '-c', 'nope.mjs'], { cwd: dir }))).toBe(`gu: error: config file not found: ${dir}/nope.mjs`)
  })
})

describe('addresses gu cannot bind', () => {
  it('retries an address in use five times, a second apart, then exits 1 naming it', async () => {
    const held = await holdPort()
    try {
      const started = Date.now()
      const result = await run(['app.mjs:app', '-k', 'async', '-b', `127.0.0.1:${held.port}`], { cwd: app(), timeoutMs: 12_000 })
      const elapsed = Date.now() - started
      expect(result.code, result.stderr).toBe(1)
      const retries = result.stderr.match(new RegExp(`Connection in use: 127\\.0\\.0\\.1:${held.port}`, 'g')) ?? []
      expect(retries.length).toBeGreaterThanOrEqual(4)
      expect(retries.length).toBeLessThanOrEqual(5)
      expect(elapsed).toBeGreaterThanOrEqual(3_800)
      expect(elapsed).toBeLessThan(12_000)
      const final = errorLines(result.stderr).at(-1)!
      expect(final).toBe(`gu: error: can't bind 127.0.0.1:${held.port}: address already in use (is another server running there?)`)
      expect(result.stderr).not.toMatch(/^\s+at /m)
      expect(result.stderr).not.toMatch(/Booting worker/)
    } finally {
      await held.close()
    }
  })

  it('exits 1 for a socket path it may not create, even as root', async () => {
    const result = await run(['app.mjs:app', '-k', 'async', '-b', 'unix:/proc/gu.sock'], { cwd: app() })
    expect(result.code, result.stderr).toBe(1)
    expect(errorLines(result.stderr)).toEqual(["gu: error: can't bind unix:/proc/gu.sock: permission denied creating the socket file"])
    expect(result.stderr).not.toMatch(/^\s+at /m)
  })

  it('refuses the same address given twice, at once and in one line', async () => {
    const started = Date.now()
    const result = await run(['app.mjs:app', '-k', 'async', '-b', '127.0.0.1:18999', '-b', 'localhost:9', '-b', '127.0.0.1:18999'], { cwd: app() })
    expect(expectOneLineError(result)).toContain("'127.0.0.1:18999' is the same address as '127.0.0.1:18999'; give each address once")
    expect(Date.now() - started).toBeLessThan(3000)
  })

  it('exits 1 for a unix socket path where a regular file is, leaving the file alone', async () => {
    const dir = app()
    const path = join(dir, 'not-a-socket')
    writeFileSync(path, 'data')
    const result = await run(['app.mjs:app', '-k', 'async', '-b', `unix:${path}`], { cwd: dir })
    expect(result.code, result.stderr).toBe(1)
    expect(errorLines(result.stderr)).toEqual([`gu: error: can't bind unix:${path}: ${path} exists and is not a socket`])
    expect(readFileSync(path, 'utf8')).toBe('data')
  })

  it("exits 1 for a socket in a directory that doesn't exist", async () => {
    const result = await run(['app.mjs:app', '-k', 'async', '-b', 'unix:/nonexistent-gu-dir/gu.sock'], { cwd: app() })
    expect(result.code, result.stderr).toBe(1)
    expect(errorLines(result.stderr)).toEqual(["gu: error: can't bind unix:/nonexistent-gu-dir/gu.sock: the socket's directory does not exist"])
  })
})

describe('worker classes', () => {
  it('names the package to install for a built-in worker that is not installed', async () => {
    // Outside this package, where every built-in class is installed (the framework matrix runs them all).
    const outside = mkdtempSync(join(tmpdir(), 'gu-e2e-'))
    writeFileSync(join(outside, 'app.mjs'), PID_APP)
    const line = expectOneLineError(await run(['app.mjs:app', '-k', 'threads', '-b', '127.0.0.1:0'], { cwd: outside }))
    rmSync(outside, { recursive: true, force: true })
    expect(line).toContain("worker class 'threads' not found")
    expect(line).toContain('npm install @gu/worker-threads')
  })

  it('names the package to install for an unknown worker class', async () => {
    const line = expectOneLineError(await run(['app.mjs:app', '-k', 'gevent', '-b', '127.0.0.1:0'], { cwd: app() }))
    expect(line).toContain("worker class 'gevent' not found: cannot find module 'gevent'")
    expect(line).toContain('npm install gevent')
  })

  it('refuses a module that does not fit the worker contract', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP, 'not-worker.mjs': `export default { contract: 2, name: 'x', sockets: 'inherit' }` })
    const line = expectOneLineError(await run(['app.mjs:app', '-k', './not-worker.mjs', '-b', '127.0.0.1:0'], { cwd: dir }))
    expect(line).toBe("gu: error: './not-worker.mjs' is not a gu worker class: it needs a 'run(worker)' function")
  })
})
