// `gu ctl` as an operator runs it, and the control socket spoken to directly for bad input.
import net from 'node:net'
import { type RunResult, runGu } from './harness.js'

/** Runs `gu ctl -s SOCKET ARGS…` to completion. */
export function ctl(socket: string, ...args: string[]): Promise<RunResult> {
  return runGu(['ctl', '-s', socket, ...args], { timeoutMs: 15_000 })
}

/** `gu ctl -s SOCKET COMMAND --json`, parsed; throws with its stderr when it fails. */
export async function ctlJson<T = Record<string, unknown>>(socket: string, ...args: string[]): Promise<T> {
  const result = await ctl(socket, ...args, '--json')
  if (result.code !== 0) throw new Error(`gu ctl ${args.join(' ')} exited ${result.code}: ${result.stderr}`)
  return JSON.parse(result.stdout) as T
}

/** Writes raw bytes to the control socket; resolves with every line it answered before closing or `ms`. */
export function rawControl(socket: string, bytes: string, ms = 1500): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const client = net.connect(socket)
    let text = ''
    const done = () => {
      clearTimeout(timer)
      client.destroy()
      resolve(text.split('\n').filter(Boolean))
    }
    const timer = setTimeout(done, ms)
    client.setEncoding('utf8')
    client.on('data', (chunk: string) => (text += chunk))
    client.on('close', done)
    client.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? done() : reject(error)))
    client.on('connect', () => client.write(bytes))
  })
}
