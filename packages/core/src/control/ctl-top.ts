import { EXIT_OK } from '../arbiter/exit-codes.js'
import type { StatusResult, WorkersResult } from './control-commands.js'
import { CtlConnection, CtlError } from './ctl-client.js'
import { duration, formatWorkers } from './ctl-format.js'

const REFRESH_MS = 1000
const CLEAR = '\x1b[H\x1b[2J'

/**
 * `gu ctl top`: the workers, refreshed every second on one connection, like `pm2 monit`. CPU is
 * worked out from the change in each worker's CPU time between frames. Quits on q or Ctrl-C,
 * and when the arbiter goes.
 */
export async function runTop(path: string): Promise<number> {
  const connection = await CtlConnection.connect(path)
  const tty = process.stdout.isTTY
  let quit = false
  const stop = () => (quit = true)
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  if (process.stdin.isTTY) {
    process.stdin.setRawMode(true)
    process.stdin.on('data', (key) => (key[0] === 0x71 || key[0] === 0x03) && stop())
  }
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
        process.stdout.write(`\ngu ctl top: ${(error as Error).message}\n`)
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
      await new Promise((resolve) => setTimeout(resolve, REFRESH_MS))
    }
    return EXIT_OK
  } finally {
    if (process.stdin.isTTY) {
      process.stdin.setRawMode(false)
      process.stdin.pause()
    }
    connection.close()
  }
}
