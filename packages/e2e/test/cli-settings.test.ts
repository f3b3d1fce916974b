import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { CORE_VERSION, printConfig } from '../src/cli-helpers.js'
import { Gu, PID_APP, asyncArgs, cleanupApps, killAll, makeApp, request, runGu } from '../src/harness.js'

afterEach(killAll)
afterAll(cleanupApps)

describe('settings precedence: defaults < config file < GU_CMD_ARGS < command line', () => {
  it('prints the defaults with no config file', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const config = await printConfig(['app.mjs:app'], { cwd: dir })
    expect(config).toMatchObject({
      app: 'app.mjs:app',
      bind: ['127.0.0.1:8000'],
      workers: 1,
      workerClass: 'sync',
      timeout: 30,
      gracefulTimeout: 30,
      keepalive: 2,
      backlog: 2048,
      maxRequests: 0,
      loglevel: 'info',
      appInterface: 'auto',
      preloadApp: false,
      config: null,
      chdir: dir,
      printConfig: true,
    })
    // Hooks are functions and never part of the printed settings.
    expect(Object.values(config).every((v) => typeof v !== 'function')).toBe(true)
  })

  it('reads gu.config.mjs from the working directory', async () => {
    const dir = makeApp({ 'gu.config.mjs': `export default { workers: 3, timeout: 12, bind: '127.0.0.1:9123', onStarting() {} }` })
    const config = await printConfig([], { cwd: dir })
    expect(config).toMatchObject({ workers: 3, timeout: 12, bind: ['127.0.0.1:9123'], config: `${dir}/gu.config.mjs` })
    expect(config).not.toHaveProperty('onStarting')
  })

  it('loads gu.config.ts with no build step, defineConfig and types included', async () => {
    const dir = makeApp({
      'gu.config.ts': `import { defineConfig } from '@gu/core'
interface Sizing { workers: number }
const sizing: Sizing = { workers: 4 }
export default defineConfig({ ...sizing, maxRequests: 100 as number, loglevel: 'warning' })
`,
    })
    const config = await printConfig([], { cwd: dir })
    expect(config).toMatchObject({ workers: 4, maxRequests: 100, loglevel: 'warning', config: `${dir}/gu.config.ts` })
  })

  it('accepts a config function, sync or async', async () => {
    const dir = makeApp({ 'gu.config.mjs': `export default async () => ({ workers: 6 })` })
    expect(await printConfig([], { cwd: dir })).toMatchObject({ workers: 6 })
  })

  it('loads the file named by -c instead of gu.config.*', async () => {
    const dir = makeApp({ 'gu.config.mjs': `export default { workers: 3, timeout: 5 }`, 'other.mjs': `export default { workers: 7 }` })
    const config = await printConfig(['-c', 'other.mjs'], { cwd: dir })
    expect(config).toMatchObject({ workers: 7, timeout: 30, config: `${dir}/other.mjs` })
    expect(await printConfig(['--config=other.mjs'], { cwd: dir })).toMatchObject({ workers: 7 })
  })

  it('lets GU_CMD_ARGS override the config file, and the command line override both', async () => {
    const dir = makeApp({ 'gu.config.mjs': `export default { workers: 3, timeout: 5, maxRequests: 9, keepalive: 7 }` })
    const env = { GU_CMD_ARGS: `-w 4 --timeout 6 --name "from env"` }
    const config = await printConfig(['-w', '5', 'app.mjs:app'], { cwd: dir, env })
    // workers: command line; timeout + name: GU_CMD_ARGS; maxRequests: config; backlog: default.
    expect(config).toMatchObject({ workers: 5, timeout: 6, procName: 'from env', maxRequests: 9, keepalive: 7, backlog: 2048 })
    expect(await printConfig([], { cwd: dir, env })).toMatchObject({ workers: 4, timeout: 6, maxRequests: 9 })
  })

  it('replaces, not merges, a list set at a lower level', async () => {
    const dir = makeApp({ 'gu.config.mjs': `export default { bind: ['127.0.0.1:1001', '127.0.0.1:1002'] }` })
    expect(await printConfig([], { cwd: dir })).toMatchObject({ bind: ['127.0.0.1:1001', '127.0.0.1:1002'] })
    expect(await printConfig(['-b', '127.0.0.1:2001', '-b', 'unix:/tmp/x.sock'], { cwd: dir })).toMatchObject({ bind: ['127.0.0.1:2001', 'unix:/tmp/x.sock'] })
  })

  it('takes -c from GU_CMD_ARGS', async () => {
    const dir = makeApp({ 'gu.config.mjs': `export default { workers: 3 }`, 'alt.mjs': `export default { workers: 8 }` })
    expect(await printConfig([], { cwd: dir, env: { GU_CMD_ARGS: '-c alt.mjs' } })).toMatchObject({ workers: 8, config: `${dir}/alt.mjs` })
  })

  it('starts the number of workers the winning level asks for', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP, 'gu.config.mjs': `export default { workers: 4, workerClass: 'sync' }` })
    const gu = new Gu(asyncArgs('app.mjs:app', '-w', '2'), { cwd: dir, env: { GU_CMD_ARGS: '-w 3' } })
    const workers = await gu.waitForWorkers(2)
    expect(workers).toHaveLength(2)
    const res = await request(await gu.url())
    expect(workers).toContain(Number(res.body))
    expect(gu.workerPids()).toHaveLength(2)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })

  it('starts the number of workers a config file asks for, with GU_CMD_ARGS over it', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP, 'gu.config.mjs': `export default { workers: 3, workerClass: 'async', bind: ['127.0.0.1:0'] }` })
    const gu = new Gu(['app.mjs:app'], { cwd: dir })
    expect(await gu.waitForWorkers(3)).toHaveLength(3)
    expect((await request(await gu.url())).status).toBe(200)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })

    const gu2 = new Gu(['app.mjs:app'], { cwd: dir, env: { GU_CMD_ARGS: '--workers=1' } })
    expect(await gu2.waitForWorkers(1)).toHaveLength(1)
    expect(await gu2.stop()).toEqual({ code: 0, signal: null })
  })
})

describe('PORT and WEB_CONCURRENCY', () => {
  it('PORT makes the default bind 0.0.0.0:$PORT and WEB_CONCURRENCY the default workers', async () => {
    const dir = makeApp({})
    expect(await printConfig([], { cwd: dir, env: { PORT: '5123', WEB_CONCURRENCY: '3' } })).toMatchObject({ bind: ['0.0.0.0:5123'], workers: 3 })
  })

  it('loses to the config file and the command line', async () => {
    const dir = makeApp({ 'gu.config.mjs': `export default { workers: 2 }` })
    const env = { PORT: '5123', WEB_CONCURRENCY: '5' }
    expect(await printConfig([], { cwd: dir, env })).toMatchObject({ bind: ['0.0.0.0:5123'], workers: 2 })
    expect(await printConfig(['-b', '127.0.0.1:7000', '-w', '1'], { cwd: dir, env })).toMatchObject({ bind: ['127.0.0.1:7000'], workers: 1 })
  })

  it('ignores a WEB_CONCURRENCY that is not a positive whole number', async () => {
    const dir = makeApp({})
    expect(await printConfig([], { cwd: dir, env: { WEB_CONCURRENCY: 'lots' } })).toMatchObject({ workers: 1 })
    expect(await printConfig([], { cwd: dir, env: { WEB_CONCURRENCY: '0' } })).toMatchObject({ workers: 1 })
  })

  it('starts WEB_CONCURRENCY workers', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const gu = new Gu(asyncArgs(), { cwd: dir, env: { WEB_CONCURRENCY: '2' } })
    expect(await gu.waitForWorkers(2)).toHaveLength(2)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })
})

describe('--check-config', () => {
  it('exits 0 for a sound setup without starting a server', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP, 'gu.config.mjs': `export default { workers: 2 }` })
    const result = await runGu(['--check-config', ...asyncArgs()], { cwd: dir, timeoutMs: 15_000 })
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).not.toMatch(/Listening at/)
  })

  it('exits 1 with the reason for an app that does not load', async () => {
    const dir = makeApp({ 'app.mjs': `export const other = 1` })
    const result = await runGu(['--check-config', ...asyncArgs()], { cwd: dir, timeoutMs: 15_000 })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^gu: error: failed to load the app: module 'app\.mjs' has no export 'app' \(it exports: other\)\n$/)
  })

  it('exits 1 for an app module that throws, naming the file', async () => {
    const dir = makeApp({ 'app.mjs': `throw new Error('database is down')\nexport const app = () => {}` })
    const result = await runGu(['--check-config', ...asyncArgs()], { cwd: dir, timeoutMs: 15_000 })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`failed to load ${dir}/app.mjs: database is down`)
  })

  it('exits 1 for a bad setting in the config file', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP, 'gu.config.mjs': `export default { workers: 'two' }` })
    const result = await runGu(['--check-config', ...asyncArgs()], { cwd: dir, timeoutMs: 15_000 })
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(`gu: error: ${dir}/gu.config.mjs: workers: expected a whole number ≥ 1, got 'two'\n`)
  })
})

describe('--version and --help', () => {
  it('prints the version of @gu/core', async () => {
    for (const flag of ['--version', '-v']) {
      const result = await runGu([flag])
      expect(result).toMatchObject({ code: 0, stderr: '' })
      expect(result.stdout).toBe(`gu (version ${CORE_VERSION})\n`)
    }
  })

  it('prints help listing every option, even beside other flags and a broken config', async () => {
    const dir = makeApp({ 'gu.config.mjs': `this is not javascript` })
    for (const args of [['--help'], ['-h'], ['-w', '3', '--help', 'app:app']]) {
      const result = await runGu(args, { cwd: dir })
      expect(result).toMatchObject({ code: 0, stderr: '' })
      expect(result.stdout).toMatch(/^usage: gu \[OPTIONS\] APP_MODULE/)
      for (const flag of ['-w, --workers INT', '-b, --bind ADDRESS', '-k, --worker-class CLASS', '-c, --config CONFIG', '--check-config', '--print-config', '--preload', '--app-interface KIND', '--access-logformat FORMAT', '-v, --version', '-h, --help']) {
        expect(result.stdout).toContain(flag)
      }
    }
  })
})
