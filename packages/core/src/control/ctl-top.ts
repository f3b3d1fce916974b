import { EXIT_OK } from '../arbiter/exit-codes.js'
import type { StatusResult, WorkersResult } from './control-commands.js'
import { CtlConnection, CtlError } from './ctl-client.js'
import { duration, formatWorkers } from './ctl-format.js'

const REFRESH_MS = 1000
const CLEAR = '\x1b[H\x1b[2J'
/** On a terminal, as top does: the alternate screen without a cursor, both given back on the way out. */
const ENTER_SCREEN = '\x1b[?1049h\x1b[?25l'
const LEAVE_SCREEN = '\x1b[?25h\x1b[?1049l'
const KEY_Q = 0x71
const KEY_CTRL_C = 0x03

/**
 * `gu ctl top`: the workers, refreshed every second on one connection, like `pm2 monit`. CPU is
 * worked out from the change in each worker's CPU time between frames. Quits at once on q or
 * Ctrl-C (a raw terminal reads Ctrl-C as a key, not as SIGINT), on SIGINT or SIGTERM, and when the
 * arbiter goes, leaving the terminal as it found it.
 */
export async function runTop(path: string): Promise<number> {
  const connection = await CtlConnection.connect(path)
  const tty = process.stdout.isTTY
  let quit = false
  let wake = () => {}
  const stop = () => {
    quit = true
    wake()
  }
  const onKey = (keys: Buffer) => (keys.includes(KEY_Q) || keys.includes(KEY_CTRL_C)) && stop()
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  if (process.stdin.isTTY) {
    process.stdin.setRawMode(true)
    process.stdin.on('data', onKey)
  }
  if (tty) process.stdout.write(ENTER_SCREEN)
  let farewell = ''
  const lastCpu = new Map<number, { seconds: number; at: number }>()
  try {
    while (!quit) {
      let status: StatusResult
      let workers: WorkersResult
      try {
        const [s, w] = await Promise.all([connection.request({ command: 'status' }), connection.request({ command: 'workers' })])
        if (!s.ok || !w.ok) throw new CtlError(s.ok ? (w as { error: string }).error : s.error)
        status = s.result as StatusResult
        workers = w.result as WorkersResult
      } catch (error) {
        farewell = `gu ctl top: ${(error as Error).message}\n`
        return EXIT_OK
      }
      const now = Date.now()
      const cpu = new Map<number, number>()
      for (const row of workers.workers) {
        if (row.cpuSeconds === null) continue
        const last = lastCpu.get(row.pid)
        if (last && now > last.at) cpu.set(row.pid, ((row.cpuSeconds - last.seconds) / ((now - last.at) / 1000)) * 100)
        lastCpu.set(row.pid, { seconds: row.cpuSeconds, at: now })
      }
      const head = `gu ${status.version} — arbiter ${status.pid}, up ${duration(status.uptimeSeconds)}, generation ${status.generation}, ${status.workers.alive}/${status.workers.desired} workers, ${status.workerClass}, ${status.listeners.join(' ')}`
      const requests = workers.workers.reduce((n, w) => n + (w.requests ?? 0), 0)
      const frame = `${head}\n${requests} requests served by the live workers — ${new Date(now).toISOString()}\n\n${formatWorkers(workers, cpu)}\n`
      process.stdout.write(tty ? `${CLEAR}${frame}` : `${frame}\n`)
      await new Promise<void>((resolve) => {
        if (quit) return resolve()
        const timer = setTimeout(resolve, REFRESH_MS)
        wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
    return EXIT_OK
  } finally {
    if (process.stdin.isTTY) {
      process.stdin.off('data', onKey)
      process.stdin.setRawMode(false)
      process.stdin.pause()
    }
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
    // Back to the screen as it was before; why top ended (the arbiter went) is said there.
    process.stdout.write(tty ? `${LEAVE_SCREEN}${farewell}` : farewell && `\n${farewell}`)
    connection.close()
  }
}
