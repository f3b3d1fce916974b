// The load generator: wrk (C, epoll), driven as a child process, its summary parsed.
import { spawn, spawnSync } from 'node:child_process'

/** Throws one clear line when wrk is not installed. */
export function checkWrk() {
  const probe = spawnSync('wrk', ['-v'], { encoding: 'utf8' })
  if (probe.error?.code === 'ENOENT') {
    throw new Error('wrk is not installed. Install it with: apt-get update && apt-get install -y wrk (Debian/Ubuntu; as root or with sudo), or brew install wrk (macOS).')
  }
  return (probe.stdout + probe.stderr).split('\n')[0].trim()
}

/**
 * One wrk run against `url`; resolves { rps, requests, latencyP50Ms, latencyP99Ms, errors }.
 * `headers` (e.g. ['Connection: close']) are sent with every request; `script` is a wrk Lua file.
 */
export function runWrk(url, { seconds, connections, threads = 1, headers = [], script, timeoutMs }) {
  const args = ['-t', String(threads), '-c', String(connections), '-d', `${seconds}s`, '--latency']
  for (const header of headers) args.push('-H', header)
  if (script) args.push('-s', script)
  args.push(url)
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (chunk) => (out += chunk))
    child.stderr.on('data', (chunk) => (out += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs ?? (seconds + 10) * 1000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1])
      if (code !== 0 || !Number.isFinite(rps)) return reject(new Error(`wrk failed (exit ${code}):\n${out}`))
      const errors = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0) + socketErrors(out)
      const requests = Number(/(\d+) requests in/.exec(out)?.[1])
      resolve({ rps, requests, latencyP50Ms: latency(out, '50%'), latencyP99Ms: latency(out, '99%'), errors })
    })
  })
}

function socketErrors(out) {
  const m = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
  return m ? m.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0
}

function latency(out, pct) {
  const m = new RegExp(`^\\s*${pct}\\s+([\\d.]+)(us|ms|s)`, 'm').exec(out)
  if (!m) return NaN
  return Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]]
}
