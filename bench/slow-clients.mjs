#!/usr/bin/env node
// Slow-client floods against one gu worker, with a normal client probing every 100 ms on a new
// connection: every probe must be answered, p99 under 100 ms. One gu per scenario (fresh), the
// flood in its own process (bench/lib/slow-flood.mjs), which reopens whatever the server closes.
// usage: node bench/slow-clients.mjs [--connections 1000,5000] [--modes idle,slow-header,slow-body]
//        [--class async] [--workers 1] [--duration 30] [--every 5000] [--port 18300] [-- extra gu args]
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import net from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { killAllNow, sleep, startServer, stopServer } from './lib/servers.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')
const { values: opt, positionals: extra } = parseArgs({
  allowPositionals: true,
  options: {
    connections: { type: 'string', default: '1000,5000' },
    modes: { type: 'string', default: 'idle,slow-header,slow-body' },
    class: { type: 'string', default: 'async' },
    workers: { type: 'string', default: '1' },
    duration: { type: 'string', default: '30' },
    every: { type: 'string', default: '5000' },
    port: { type: 'string', default: '18300' },
    'probe-timeout': { type: 'string', default: '2000' },
  },
})
const guBin = join(root, 'packages/core/bin/gu.js')
const workerClass = join(root, `packages/worker-${opt.class}/dist/index.js`)
if (!existsSync(workerClass)) fail(`${workerClass} does not exist: build the workspace first (npx -y pnpm@10.34.8 build)`)
const app = `${join(here, 'servers/upload-app.mjs')}:app`
const probeTimeoutMs = Number(opt['probe-timeout'])
process.on('exit', killAllNow)
process.on('SIGINT', () => process.exit(130))

/** One probe: a new connection, `GET /`, the whole response; its latency in ms, or an error. */
function probe(port) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint()
    const socket = net.connect({ port, host: '127.0.0.1' })
    let got = ''
    const done = (outcome) => {
      clearTimeout(timer)
      socket.destroy()
      resolve(outcome)
    }
    const timer = setTimeout(() => done({ error: `no answer within ${probeTimeoutMs} ms` }), probeTimeoutMs)
    socket.on('connect', () => socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'))
    socket.on('data', (d) => {
      got += d.toString('latin1')
      if (got.includes('\r\n\r\n') && got.endsWith('Hello, World!')) done({ ms: Number(process.hrtime.bigint() - started) / 1e6, status: Number(got.slice(9, 12)) })
    })
    socket.on('error', (error) => done({ error: error.code ?? error.message }))
    socket.on('close', () => done({ error: got ? `closed after ${JSON.stringify(got.slice(0, 20))}` : 'closed without an answer' }))
  })
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]

async function scenario(connections, mode, port) {
  const args = [guBin, app, '-k', workerClass, '-w', opt.workers, '-b', `127.0.0.1:${port}`, ...extra]
  const booted = (log) => /Listening at: http:\/\/127\.0\.0\.1:\d+/.test(log) && (log.match(/Booting worker with pid/g) ?? []).length >= Number(opt.workers)
  const server = await startServer({ name: `gu ${mode}`, command: process.execPath, args, port, ready: booted })
  const flood = spawn(process.execPath, [join(here, 'lib/slow-flood.mjs'), String(port), String(connections), mode, opt.every], { stdio: ['ignore', 'pipe', 'inherit'] })
  let floodState = { open: 0 }
  let floodLines = []
  flood.stdout.setEncoding('utf8').on('data', (chunk) => {
    for (const line of chunk.split('\n').filter(Boolean)) floodLines.push((floodState = JSON.parse(line)))
  })
  try {
    // Until the flood holds its connections (or 15 s): what it can open is what the server lets it.
    const deadline = Date.now() + 15_000
    while (floodState.open < connections && Date.now() < deadline) await sleep(250)
    const atStart = floodState
    const results = []
    const until = Date.now() + Number(opt.duration) * 1000
    const pending = []
    const t0 = Date.now()
    while (Date.now() < until) {
      const at = Date.now() - t0
      pending.push(probe(port).then((r) => results.push({ ...r, at })))
      await sleep(100)
    }
    await Promise.all(pending)
    const atEnd = floodState
    const ok = results.filter((r) => r.status === 200).map((r) => r.ms).sort((a, b) => a - b)
    const failures = results.filter((r) => r.status !== 200)
    const reasons = [...new Set(failures.map((f) => f.error ?? `status ${f.status}`))].slice(0, 3)
    return {
      connections, mode, probes: results.length, answered: ok.length, failed: failures.length, reasons,
      slowest: results.filter((r) => r.ms).sort((a, b) => b.ms - a.ms).slice(0, 3).map((r) => `${r.ms.toFixed(0)}ms@${(r.at / 1000).toFixed(1)}s`),
      p50: quantile(ok, 0.5), p99: quantile(ok, 0.99), max: ok.at(-1),
      floodOpenAtStart: atStart.open, floodOpenAtEnd: atEnd.open,
      shedOrCut: atEnd.closedByServer - (atStart.closedByServer ?? 0), got408: atEnd.responses408 - (atStart.responses408 ?? 0),
    }
  } finally {
    flood.kill('SIGKILL')
    await stopServer(server)
  }
}

function fail(message) {
  process.stderr.write(`${message}\n`)
  process.exit(1)
}

const rows = []
let port = Number(opt.port)
for (const connections of opt.connections.split(',').map(Number)) {
  for (const mode of opt.modes.split(',')) {
    process.stderr.write(`${connections} ${mode} connections, probing for ${opt.duration}s …\n`)
    const row = await scenario(connections, mode, port++)
    process.stderr.write(`  ${JSON.stringify(row)}\n`)
    rows.push(row)
  }
}
const f = (n) => (n === undefined ? '–' : n.toFixed(1))
process.stdout.write(`gu -k ${opt.class} -w ${opt.workers} ${extra.join(' ')}: a probe every 100 ms on a new connection (${opt.duration}s per flood)\n\n`)
process.stdout.write('| flood | connections | flood open (start → end) | closed by gu during probing (408s) | probes answered | p50 ms | p99 ms | max ms | goal met |\n|---|---|---|---|---|---|---|---|---|\n')
for (const r of rows) {
  const met = r.failed === 0 && r.p99 < 100
  process.stdout.write(`| ${r.mode} | ${r.connections} | ${r.floodOpenAtStart} → ${r.floodOpenAtEnd} | ${r.shedOrCut} (${r.got408}) | ${r.answered}/${r.probes}${r.failed ? ` (${r.reasons.join('; ')})` : ''} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.max)} | ${met ? 'yes' : 'no'} |\n`)
}
process.exitCode = rows.every((r) => r.failed === 0 && r.p99 < 100) ? 0 : 2
