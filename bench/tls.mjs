#!/usr/bin/env node
// What HTTPS costs: gu -k async and gu -k uws (1 worker) each served plain and with --certfile,
// and gu -k async's HTTPS against a bare node:https server, same run, sides interleaved each round. Keep-alive (the handshake amortised) and
// `Connection: close` (a full handshake per request; async only). Certificates (P-256) made with openssl.
// usage: node bench/tls.mjs [--duration 2] [--rounds 5] [--warmup 1] [--connections 50] [--port 18500]
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { benchOptions, fail, guardRun, rotated, wrkOrFail } from './lib/bench-script.mjs'
import { cpuByPid, cpuDelta } from './lib/cpu.mjs'
import { sleep, startServer, stopAll } from './lib/servers.mjs'
import { median } from './lib/stats.mjs'
import { runWrk } from './lib/wrk.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')
const USAGE = 'usage: node bench/tls.mjs [--duration 2] [--rounds 5] [--warmup 1] [--connections 50] [--port 18500]'
const opt = benchOptions(
  {
    duration: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    connections: { type: 'string', default: '50' },
    port: { type: 'string', default: '18500' },
  },
  USAGE,
)
const seconds = Number(opt.duration)
const rounds = Number(opt.rounds)
const warmup = Number(opt.warmup)
const connections = Number(opt.connections)
let port = Number(opt.port)

const guBin = join(root, 'packages/core/bin/gu.js')
const CLASSES = { async: join(root, 'packages/worker-async/dist/index.js'), uws: join(root, 'packages/worker-uws/dist/index.js') }
for (const file of Object.values(CLASSES)) if (!existsSync(file)) fail(`${file} does not exist: build the workspace first (npx -y pnpm@10.34.8 build)`)
const app = join(here, 'servers/app.mjs') + ':app'

const certs = mkdtempSync(join(tmpdir(), 'gu-bench-tls-'))
process.on('exit', () => rmSync(certs, { recursive: true, force: true }))
execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(certs, 'key.pem'), '-out', join(certs, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' })
const TLS_ARGS = ['--certfile', join(certs, 'cert.pem'), '--keyfile', join(certs, 'key.pem')]

const booted = (log) => /Booting worker with pid/.test(log)
const side = (name, klass, tls) => (p) => ({ name, tls, command: process.execPath, args: [guBin, app, '-k', CLASSES[klass], '-w', '1', '-b', `127.0.0.1:${p}`, ...(tls ? TLS_ARGS : [])], port: p, ready: booted })
const SIDES = {
  asyncPlain: side('gu -k async, http', 'async', false),
  asyncTls: side('gu -k async, https', 'async', true),
  bareTls: (p) => ({ name: 'bare node:https', tls: true, command: process.execPath, args: [join(here, 'servers/bare-https.mjs'), String(p), ...TLS_ARGS.filter((_, i) => i % 2 === 1)], port: p, ready: booted }),
  uwsPlain: side('gu -k uws, http', 'uws', false),
  uwsTls: side('gu -k uws, https', 'uws', true),
}
const RATIOS = [
  ['asyncTls', 'asyncPlain'],
  ['asyncTls', 'bareTls'],
  ['uwsTls', 'uwsPlain'],
]

// Five sides, two scenarios (one with three sides), warm-up and rounds each, plus start-up.
guardRun(60 + (5 + 3) * (warmup + rounds * (seconds + 0.5)) * 1.5)

console.error(`bench: ${wrkOrFail()}; node ${process.version}; ${availableParallelism()} cpus; ${rounds} rounds x ${seconds}s, warm-up ${warmup}s, ${connections} connections, 1 wrk thread`)
const servers = {}
const specs = {}
for (const [id, make] of Object.entries(SIDES)) {
  specs[id] = make(port++)
  servers[id] = await startServer(specs[id])
}
const url = (id) => `${specs[id].tls ? 'https' : 'http'}://127.0.0.1:${servers[id].port}/`
const lines = []
// uWS answers `Connection: close` by closing in a way wrk counts as socket errors: async only there.
const SCENARIOS = [
  ['keep-alive', [], Object.keys(servers)],
  ['Connection: close', ['Connection: close'], ['asyncPlain', 'asyncTls', 'bareTls']],
]
for (const [scenario, headers, ids] of SCENARIOS) {
  const rps = Object.fromEntries(ids.map((id) => [id, []]))
  // CPU per request (the server's whole process group): steadier than req/s on a shared machine.
  const cpuUs = Object.fromEntries(ids.map((id) => [id, []]))
  for (const id of ids) await runWrk(url(id), { seconds: warmup, connections, headers })
  for (let r = 0; r < rounds; r++) {
    for (const id of rotated(ids, r)) {
      const before = cpuByPid(servers[id].child.pid)
      const res = await runWrk(url(id), { seconds, connections, headers })
      const cpu = [...cpuDelta(before, cpuByPid(servers[id].child.pid)).values()].reduce((a, b) => a + b, 0)
      if (res.errors) fail(`${servers[id].name}: ${res.errors} errors`)
      rps[id].push(res.rps)
      cpuUs[id].push((cpu / res.requests) * 1e6)
      console.error(`  ${scenario} round ${r + 1}: ${servers[id].name.padEnd(22)} ${res.rps.toFixed(0).padStart(7)} req/s  ${((cpu / res.requests) * 1e6).toFixed(1)} us/req`)
      await sleep(150)
    }
  }
  lines.push(`${scenario}: ` + ids.map((id) => `${servers[id].name} ${median(rps[id]).toFixed(0)} req/s, ${median(cpuUs[id]).toFixed(1)} µs CPU/req`).join(' · '))
  for (const [a, b] of RATIOS.filter((pair) => pair.every((id) => ids.includes(id)))) {
    const perRound = rps[a].map((v, i) => v / rps[b][i])
    lines.push(`  ${servers[a].name} / ${servers[b].name}: ${median(perRound).toFixed(2)}x [rounds ${Math.min(...perRound).toFixed(2)}–${Math.max(...perRound).toFixed(2)}]`)
  }
}
await stopAll()
console.log(lines.join('\n'))
