// gu as a user installs it: the packed packages installed by npm and by pnpm at their defaults
// (dependencies from the registry, pnpm 10 not running build scripts), every worker class run
// with `npx gu` on a node app, a fetch app, and .ts apps in a CommonJS and in an ES module
// package. The sync class must accept natively (from the prebuilt binary it ships).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { request, waitForHttp } from '../src/harness.js'
import { approveBuilds, freePort, installProject, InstalledGu, packAll } from '../src/install-helpers.js'

const APPS: Record<string, string> = {
  // The project itself is "type": "commonjs", as `npm init -y` writes.
  'node-app.js': `module.exports = (req, res) => { res.setHeader('content-type', 'text/plain'); res.end('node app ' + req.url) }\n`,
  'fetch-app.mjs': `export default { fetch: (request) => new Response('fetch app ' + new URL(request.url).pathname) }\n`,
  // export default in a CommonJS package: it lands on module.exports.default.
  'cjs-app.ts': `const greeting: string = 'cjs ts app'\nexport default { fetch: (request: Request): Response => new Response(greeting + ' ' + new URL(request.url).pathname) }\n`,
  'esm/package.json': JSON.stringify({ type: 'module' }),
  'esm/app.ts': `import type { IncomingMessage, ServerResponse } from 'node:http'\nexport const app = (req: IncomingMessage, res: ServerResponse): void => { res.end('esm ts app ' + req.url) }\n`,
}
const CASES: Array<[string, string]> = [
  ['node-app.js', 'node app /hello'],
  ['fetch-app.mjs', 'fetch app /hello'],
  ['cjs-app.ts', 'cjs ts app /hello'],
  ['esm/app.ts:app', 'esm ts app /hello'],
]
const CLASSES = ['sync', 'async', 'threads', 'uws']

const root = mkdtempSync(join(tmpdir(), 'gu-as-installed-'))
let tarballs: string[] = []
beforeAll(() => {
  tarballs = packAll(join(root, 'tarballs'))
  expect(tarballs.map((file) => file.replace(/.*\//, '')).sort()).toEqual(
    ['core', 'worker-async', 'worker-sync', 'worker-testkit', 'worker-threads', 'worker-uws'].map((name) => `gu-${name}-0.1.0.tgz`),
  )
}, 120_000)
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe.each(['npm', 'pnpm'] as const)('installed with %s (default settings)', (manager) => {
  const project = join(root, manager)
  let installLog = ''
  beforeAll(() => {
    installLog = installProject(project, manager, tarballs, APPS)
  }, 300_000)

  if (manager === 'pnpm') {
    it("pnpm 10 ran none of gu's build scripts (the case the prebuilt binaries are for)", () => {
      expect(installLog).toMatch(/Ignored build scripts:.*@gu\/worker-sync/s)
    })
  }

  // Concurrently (vitest's maxConcurrency, 5 at a time): most of each case is waiting for npx and boot.
  it.concurrent.for(CLASSES.flatMap((kind) => CASES.map(([app, body]) => [kind, app, body] as const)))('-k %s serves %s', async ([kind, app, body], { expect }) => {
    const port = await freePort()
    const workers = kind === 'sync' ? 2 : 1
    // Cases run side by side in one project: each arbiter gets its own control socket (two on
    // the default ./gu.ctl would rightly warn).
    const gu = new InstalledGu(project, [app, '-k', kind, '-w', String(workers), '-b', `127.0.0.1:${port}`, '--log-level', 'debug', '--control-socket', join(project, `gu-${port}.ctl`)])
    try {
      await gu.waitForWorkers(workers)
      const url = `http://127.0.0.1:${port}/hello`
      await waitForHttp(url)
      const res = await request(url)
      expect(res.status, gu.log).toBe(200)
      expect(res.body).toBe(body)
      if (kind === 'sync') {
        // Every worker accepts natively, with the binary shipped in the package (each logs it
        // just after booting).
        await gu.waitFor(/(sync worker accepting with [^\n]*\n[^]*){2}/)
        const acceptors = gu.log.match(/sync worker accepting with .*/g) ?? []
        expect(acceptors, gu.log).toHaveLength(2)
        for (const line of acceptors) expect(line).toMatch(/accepting with native accept \(prebuilt, .*\/prebuilds\/linux-x64\/@gu\+worker-sync\.glibc\.node\)/)
      }
      // No warning but uws's advice on this machine's sysctl (see its README).
      expect(gu.log.split('\n').filter((line) => /\[(WARNING|ERROR)\]/.test(line) && !line.includes('tcp_migrate_req'))).toEqual([])
    } finally {
      expect(await gu.stop(), gu.log).toBe(0)
    }
  })

  it("core's own native part (systemd notification) loads from its prebuilt binary", async () => {
    const port = await freePort()
    const gu = new InstalledGu(project, ['node-app.js', '-k', 'async', '-b', `127.0.0.1:${port}`, '--log-level', 'debug'], { NOTIFY_SOCKET: join(project, 'no-systemd-here.sock') })
    try {
      await gu.waitForWorkers(1)
      expect(gu.log).toMatch(/systemd notifications to .* \(prebuilt, .*\/prebuilds\/linux-x64\/@gu\+core\.glibc\.node\)/)
      // Nothing listens there: the send fails with a clear warning, and gu serves on.
      await gu.waitFor(/systemd notification READY=1 failed: ENOENT/)
      expect((await request(`http://127.0.0.1:${port}/x`)).body).toBe('node app /x')
    } finally {
      expect(await gu.stop(), gu.log).toBe(0)
    }
  })

  if (manager === 'pnpm') {
    // Last, as it changes the install: where no prebuilt binary fits (here: removed), the warning
    // names the fix for pnpm, and that command gives the sync class its native acceptor.
    it('without a prebuilt binary: one warning naming pnpm approve-builds, which builds it', async () => {
      rmSync(join(project, 'node_modules/@gu/worker-sync/prebuilds'), { recursive: true })
      const acceptorOf = async () => {
        const port = await freePort()
        const gu = new InstalledGu(project, ['node-app.js', '-k', 'sync', '-w', '2', '-b', `127.0.0.1:${port}`, '--log-level', 'debug'])
        try {
          await gu.waitForWorkers(2)
          await gu.waitFor(/(sync worker accepting with [^\n]*\n[^]*){2}/)
          expect((await request(`http://127.0.0.1:${port}/a`)).body).toBe('node app /a')
          return gu.log
        } finally {
          expect(await gu.stop(), gu.log).toBe(0)
        }
      }
      const before = await acceptorOf()
      const warnings = before.split('\n').filter((line) => line.includes('[WARNING]'))
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toContain('@gu/worker-sync: native acceptor missing (no prebuilt binary for linux-x64 and none built from source)')
      expect(warnings[0]).toContain('fix: pnpm approve-builds (select @gu/worker-sync')
      expect(before).toContain('sync worker accepting with socket copies')

      // What a user does at the prompt, without the prompt.
      approveBuilds(project)
      expect(await acceptorOf()).toMatch(/sync worker accepting with native accept \(built from source, .*\/build\/Release\/accept_one\.node\)/)
    })
  }
})
