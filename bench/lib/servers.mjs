// Starting and stopping the servers under test: spawn, wait for readiness, always clean up.
import { spawn } from 'node:child_process'
import { request } from 'node:http'
import { request as requestTls } from 'node:https'

const running = new Set()

/**
 * Spawns `command args` in its own process group and resolves once `ready(stderrSoFar)` is true
 * and an HTTP GET of `path` on `port` answers 200 (HTTPS with `tls: true`: certificates unchecked).
 */
export async function startServer({ name, command, args, env, port, ready, path = '/', cwd, timeoutMs = 15000, tls = false }) {
  const child = spawn(command, args, { detached: true, cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } })
  const server = { name, child, port, log: '' }
  running.add(server)
  child.on('error', (error) => (server.log += `\nspawn ${command}: ${error.message}\n`))
  child.stderr.on('data', (chunk) => (server.log += chunk))
  const deadline = Date.now() + timeoutMs
  while (!ready(server.log)) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} before it was ready:\n${server.log}`)
    if (Date.now() > deadline) throw new Error(`${name} not ready after ${timeoutMs} ms:\n${server.log}`)
    await sleep(50)
  }
  while (!(await answers(port, path, tls))) {
    if (Date.now() > deadline) throw new Error(`${name} does not answer on port ${port}:\n${server.log}`)
    await sleep(50)
  }
  return server
}

/** SIGINT (a quick stop for gu), then SIGKILL for the whole process group after `graceMs`. */
export async function stopServer(server, graceMs = 3000) {
  running.delete(server)
  const { child } = server
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve))
    signalGroup(child.pid, 'SIGINT')
    await Promise.race([exited, sleep(graceMs)])
  }
  signalGroup(child.pid, 'SIGKILL') // any worker left behind
}

/** Synchronous last resort for process exit paths: SIGKILL every group still running. */
export function killAllNow() {
  for (const server of running) signalGroup(server.child.pid, 'SIGKILL')
  running.clear()
}

export const stopAll = () => Promise.all([...running].map((server) => stopServer(server)))

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal)
  } catch {} // already gone
}

function answers(port, path, tls) {
  return new Promise((resolve) => {
    const send = tls ? requestTls : request
    const req = send({ host: '127.0.0.1', port, path, agent: false, timeout: 1000, rejectUnauthorized: false }, (res) => {
      res.resume()
      resolve(res.statusCode === 200)
    })
    req.on('error', () => resolve(false))
    req.on('timeout', () => req.destroy())
    req.end()
  })
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
