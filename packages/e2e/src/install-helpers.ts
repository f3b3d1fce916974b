// gu as a user gets it: every published package packed to a tarball, installed into a fresh
// project outside the workspace by npm or pnpm with their default settings, run with `npx gu`.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { delimiter, join, resolve } from 'node:path'
import { E2E_ROOT, sleep } from './harness.js'

const REPO_ROOT = resolve(E2E_ROOT, '../..')
/** The pnpm the repository pins (package.json's packageManager), run the way the README does. */
const PNPM = ['-y', (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { packageManager: string }).packageManager]
const PUBLISHED = ['core', 'worker-sync', 'worker-async', 'worker-threads', 'worker-uws', 'worker-testkit']

/**
 * The environment of a user's shell: nothing of the pnpm run and test runner this test is in
 * (npm_config_* would change how npm and pnpm install; node_modules/.bin on PATH could make
 * `npx gu` find the workspace's gu; NODE_PATH would make every workspace package resolvable).
 */
export function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|PNPM_|VITEST|NODE_PATH$|NODE_OPTIONS$|INIT_CWD$|GU_|PORT$|WEB_CONCURRENCY$)/i.test(key)) continue
    env[key] = value
  }
  env.PATH = (process.env.PATH ?? '').split(delimiter).filter((dir) => !dir.includes('node_modules')).join(delimiter)
  return { ...env, ...extra }
}

/** `pnpm pack` of every published package (workspace: ranges become versions, as on publish). */
export function packAll(into: string): string[] {
  mkdirSync(into, { recursive: true })
  for (const name of PUBLISHED) {
    execFileSync('npx', [...PNPM, 'pack', '--pack-destination', into], { cwd: join(REPO_ROOT, 'packages', name), env: userEnv(), stdio: 'pipe' })
  }
  return readdirSync(into).filter((file) => file.endsWith('.tgz')).map((file) => join(into, file))
}

/** A fresh project with the tarballs installed by `manager` at its defaults; its install output. */
export function installProject(dir: string, manager: 'npm' | 'pnpm', tarballs: string[], files: Record<string, string>): string {
  mkdirSync(dir, { recursive: true })
  // What `npm init -y` writes today: a CommonJS package.
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `gu-as-installed-${manager}`, version: '1.0.0', private: true, type: 'commonjs' }, null, 2))
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true })
    writeFileSync(join(dir, name), text)
  }
  const [command, args] = manager === 'npm' ? ['npm', ['install', ...tarballs]] : ['npx', [...PNPM, 'add', ...tarballs]]
  // As on a user's machine: CI=true would switch pnpm to its frozen-lockfile CI defaults.
  return execFileSync(command, args, { cwd: dir, env: userEnv({ CI: undefined }), encoding: 'utf8', stdio: 'pipe', timeout: 240_000 })
}

/** `pnpm approve-builds --all` (every pending build, no prompt): pnpm runs the approved builds. */
export function approveBuilds(dir: string): string {
  return execFileSync('npx', [...PNPM, 'approve-builds', '--all'], { cwd: dir, env: userEnv({ CI: undefined }), encoding: 'utf8', stdio: 'pipe', timeout: 240_000 })
}

const handedOut = new Set<number>()

/** A loopback port nobody listens on, below Linux's ephemeral range (uws binds it in each worker). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000)
    if (handedOut.has(port)) continue
    handedOut.add(port)
    const free = await new Promise<boolean>((done) => {
      const server = net.createServer().once('error', () => done(false))
      server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => done(true)))
    })
    if (free) return port
  }
}

/** `npx gu …` in a project, in its own process group (npx runs gu as a child) so it stops whole. */
export class InstalledGu {
  readonly child: ChildProcess
  log = ''
  readonly exited: Promise<number | null>

  constructor(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn('npx', ['gu', ...args], { cwd, env: userEnv(env), detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    for (const stream of [this.child.stdout!, this.child.stderr!]) stream.on('data', (chunk: Buffer) => (this.log += chunk.toString()))
    this.exited = new Promise((done) => this.child.once('exit', (code) => done(code)))
  }

  async waitForWorkers(count: number, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while ((this.log.match(/Booting worker with pid/g) ?? []).length < count) {
      if (this.child.exitCode !== null) throw new Error(`gu exited (${this.child.exitCode}); output:\n${this.log}`)
      if (Date.now() > deadline) throw new Error(`expected ${count} workers to boot; output:\n${this.log}`)
      await sleep(50)
    }
  }

  async waitFor(pattern: RegExp, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!pattern.test(this.log)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; output:\n${this.log}`)
      await sleep(50)
    }
  }

  /** TERM to the arbiter (as an operator would), then npx's exit code, which is gu's. */
  async stop(): Promise<number | null> {
    const arbiter = Number(/\[(\d+)\] \[INFO\] Starting gu/.exec(this.log)?.[1])
    if (this.child.exitCode === null) process.kill(arbiter || -this.child.pid!, 'SIGTERM')
    const timer = setTimeout(() => process.kill(-this.child.pid!, 'SIGKILL'), 15_000)
    const code = await this.exited
    clearTimeout(timer)
    return code
  }
}
