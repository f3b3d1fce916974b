// `gu ctl top` as an operator sees it: on a real terminal (a pty from util-linux's `script`), it
// takes the alternate screen, refreshes the workers every second, quits at once on q or Ctrl-C
// (raw mode reads both as keys), and when the arbiter goes; the terminal is given back each time.
import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { GU_BIN, Gu, PID_APP, asyncArgs, cleanupApps, killAll, makeApp } from '../src/harness.js'
import { waitUntil, within } from '../src/process-helpers.js'

afterEach(killAll)
afterAll(cleanupApps)

const ENTER_SCREEN = '\x1b[?1049h\x1b[?25l'
const LEAVE_SCREEN = '\x1b[?25h\x1b[?1049l'
const CLEAR = '\x1b[H\x1b[2J'

interface Pty {
  child: ChildProcess
  output: () => string
  exited: Promise<number | null>
}

/** `gu ctl -s SOCKET top` on a pty: `script -e` gives it a terminal and returns its exit code. */
function topOnPty(socket: string): Pty {
  const command = `${process.execPath} ${GU_BIN} ctl -s ${socket} top`
  const child = spawn('script', ['-qefc', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, TERM: 'xterm' } })
  let output = ''
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d))
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, output: () => output, exited }
}

async function startGu() {
  const dir = makeApp({ 'app.mjs': PID_APP })
  const socket = join(dir, 'ctl.sock')
  const gu = new Gu(asyncArgs('app.mjs:app', '-w', '2', '--control-socket', socket), { cwd: dir })
  const pids = await gu.waitForWorkers(2)
  return { socket, gu, pids }
}

/** Frames drawn so far: each starts by clearing the screen. */
const frames = (output: string) => output.split(CLEAR).slice(1)

describe('gu ctl top on a terminal', () => {
  for (const [key, name] of [['q', 'q'], ['\x03', 'Ctrl-C']] as const) {
    it(`refreshes every second, shows each worker, and quits at once on ${name}, giving the terminal back`, async () => {
      const { socket, pids } = await startGu()
      const top = topOnPty(socket)
      try {
        await waitUntil('three frames', () => frames(top.output()).length >= 3, 10_000)
        expect(top.output().startsWith(ENTER_SCREEN)).toBe(true)
        const shown = frames(top.output())
        for (const frame of shown) {
          for (const pid of pids) expect(frame).toMatch(new RegExp(`^${pid}\\s+\\d+\\s+1\\s+.*serving`, 'm'))
          expect(frame).toContain('2/2 workers')
        }
        // A new frame each second: the uptime moves on.
        expect(new Set(shown.map((f) => /up (\S+),/.exec(f)?.[1])).size).toBeGreaterThan(1)
        top.child.stdin!.write(key)
        expect(await within(3000, top.exited, 'gu ctl top to quit')).toBe(0)
        expect(top.output().endsWith(LEAVE_SCREEN)).toBe(true)
      } finally {
        top.child.kill('SIGKILL')
      }
    })
  }

  it('ends when the arbiter stops, saying so on the normal screen', async () => {
    const { socket, gu } = await startGu()
    const top = topOnPty(socket)
    try {
      await waitUntil('a frame', () => frames(top.output()).length >= 1, 10_000)
      await gu.stop()
      expect(await within(5000, top.exited, 'gu ctl top to end')).toBe(0)
      const after = top.output().slice(top.output().lastIndexOf(LEAVE_SCREEN))
      expect(after).toMatch(/^\x1b\[\?25h\x1b\[\?1049lgu ctl top: .+/)
    } finally {
      top.child.kill('SIGKILL')
    }
  })
})
