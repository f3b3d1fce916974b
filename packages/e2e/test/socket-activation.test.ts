import { spawn } from 'node:child_process'
import { afterAll, describe, expect, it } from 'vitest'
import { GU_BIN, cleanupApps, makeApp, request } from '../src/harness.js'
import { listeningAt, listeningSocket, waitUntil, within } from '../src/process-helpers.js'

afterAll(cleanupApps)

const ENV_APP = `
export function app(req, res) {
  res.end(JSON.stringify({ pid: process.pid, listenFds: process.env.LISTEN_FDS ?? null, listenPid: process.env.LISTEN_PID ?? null }))
}
`

/**
 * Starts gu the way systemd does: the socket as descriptor 3, LISTEN_FDS=1 and LISTEN_PID set to
 * gu's own pid — known only after the fork, so a shell sets it and then execs node in its place.
 */
function activate(dir: string, fd: number, args: string[], listenPid = '$$') {
  const script = `LISTEN_PID=${listenPid} LISTEN_FDS=1 exec "$0" "$@"`
  const child = spawn('/bin/sh', ['-c', script, process.execPath, GU_BIN, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe', fd] })
  let log = ''
  child.stdout!.on('data', (d) => (log += d))
  child.stderr!.on('data', (d) => (log += d))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, exited, log: () => log }
}

describe('systemd socket activation', () => {
  it('serves on the sockets systemd passed instead of the configured binds, and hides LISTEN_* from workers', async () => {
    const dir = makeApp({ 'app.mjs': ENV_APP })
    const { server, fd, port } = await listeningSocket()
    const configured = await listeningSocket()
    configured.server.close()
    const gu = activate(dir, fd, ['app.mjs:app', '-k', 'async', '-b', `127.0.0.1:${configured.port}`])
    try {
      await new Promise((resolve) => gu.child.once('spawn', resolve))
      server.close()
      await waitUntil('a booted worker', () => /Booting worker/.test(gu.log()))
      expect(listeningAt(gu.log())).toEqual([`http://127.0.0.1:${port}`])
      const reply = JSON.parse((await request(`http://127.0.0.1:${port}/`)).body)
      expect(reply.listenFds).toBeNull()
      expect(reply.listenPid).toBeNull()
      // The configured address was replaced, not bound as well.
      await expect(request(`http://127.0.0.1:${configured.port}/`, { timeoutMs: 1000 })).rejects.toThrow(/ECONNREFUSED/)
      gu.child.kill('SIGTERM')
      expect(await within(10_000, gu.exited, 'gu stop')).toBe(0)
    } finally {
      gu.child.kill('SIGKILL')
      server.close()
    }
  })

  it('ignores LISTEN_FDS meant for another process (LISTEN_PID is not its pid)', async () => {
    const dir = makeApp({ 'app.mjs': ENV_APP })
    const passed = await listeningSocket()
    const configured = await listeningSocket()
    configured.server.close()
    const gu = activate(dir, passed.fd, ['app.mjs:app', '-k', 'async', '-b', `127.0.0.1:${configured.port}`], '1')
    try {
      await waitUntil('a booted worker', () => /Booting worker/.test(gu.log()))
      expect(listeningAt(gu.log())).toEqual([`http://127.0.0.1:${configured.port}`])
      expect((await request(`http://127.0.0.1:${configured.port}/`)).status).toBe(200)
      gu.child.kill('SIGTERM')
      expect(await within(10_000, gu.exited, 'gu stop')).toBe(0)
    } finally {
      gu.child.kill('SIGKILL')
      passed.server.close()
    }
  })
})
