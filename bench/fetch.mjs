#!/usr/bin/env node
// The fetch path: gu -k async -w 1 serving a Hono app and a bare fetch handler, against
// @hono/node-server serving the same two apps in one process; plaintext and JSON, keep-alive,
// wrk, the sides interleaved each round, ratios as medians of per-round ratios. With --compare DIR,
// gu as built in another checkout serves both apps too: this checkout's gu against it, same run.
// usage: node bench/fetch.mjs [--duration 2] [--rounds 5] [--warmup 1] [--connections 50] [--worker async|sync] [--compare DIR]
import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { benchOptions, booted, fail, freePort, guardRun, rotated, wrkOrFail } from './lib/bench-script.mjs'
import { cpuByPid, cpuDelta } from './lib/cpu.mjs'
import { sleep, startServer, stopAll } from './lib/servers.mjs'
import { median } from './lib/stats.mjs'
import { runWrk } from './lib/wrk.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')
const opt = benchOptions(
  {
    duration: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    connections: { type: 'string', default: '50' },
    worker: { type: 'string', default: 'async' },
    compare: { type: 'string' },
  },
  'usage: node bench/fetch.mjs [--duration 2] [--rounds 5] [--warmup 1] [--connections 50] [--worker async|sync] [--compare DIR]',
)
const seconds = Number(opt.duration)
const rounds = Number(opt.rounds)
const warmup = Number(opt.warmup)
const connections = Number(opt.connections)

/** gu's command and worker class as built in the checkout at `dir`. */
function build(dir) {
  const built = { bin: join(dir, 'packages/core/bin/gu.js'), workerClass: join(dir, `packages/worker-${opt.worker}/dist/index.js`) }
  for (const file of [built.workerClass, join(dir, 'packages/core/dist/index.js')]) if (!existsSync(file)) fail(`${file} does not exist: build that checkout first (npx -y pnpm@10.34.8 build)`)
  return built
}
const checkout = build(root)
const compared = opt.compare ? build(opt.compare) : undefined
const nodeServer = join(here, 'servers/fetch-node-server.mjs')
if (!existsSync(join(root, 'packages/e2e/node_modules/@hono/node-server'))) fail('@hono/node-server is not installed: npx -y pnpm@10.34.8 install')
const APPS = { hono: join(here, 'servers/fetch-hono-app.mjs'), plain: join(here, 'servers/fetch-plain-app.mjs') }

const gu = (app, built = checkout, label = '') => (port) => ({ name: `gu -k ${opt.worker} -w 1${label}, ${app}`, command: process.execPath, args: [built.bin, APPS[app], '-k', built.workerClass, '-w', '1', '-b', `127.0.0.1:${port}`], port, ready: booted(1) })
const honoNode = (app) => (port) => ({ name: `@hono/node-server, ${app}`, command: process.execPath, args: [nodeServer, String(port), APPS[app]], port, ready: booted(0) })
const SIDES = { guHono: gu('hono'), nodeHono: honoNode('hono'), guPlain: gu('plain'), nodePlain: honoNode('plain') }
const RATIOS = [
  ['guHono', 'nodeHono', 1.0],
  ['guPlain', 'nodePlain', 1.0],
]
if (compared) {
  // Against the other checkout: the band of "no change" on this machine, not a goal.
  Object.assign(SIDES, { oldHono: gu('hono', compared, ' (compared)'), oldPlain: gu('plain', compared, ' (compared)') })
  RATIOS.push(['guHono', 'oldHono', 0.97], ['guPlain', 'oldPlain', 0.97])
}

const SCENARIOS = [['plaintext', '/'], ['json', '/json']]
const sideCount = Object.keys(SIDES).length
guardRun(sideCount * SCENARIOS.length * (rounds * (seconds + 0.15) + warmup) * 1.3 + 60)

console.error(`bench: ${wrkOrFail()}; node ${process.version}; ${availableParallelism()} cpus; ${rounds} rounds x ${seconds}s, warm-up ${warmup}s, ${connections} connections, 1 wrk thread`)
const servers = {}
for (const [id, make] of Object.entries(SIDES)) servers[id] = await startServer(make(await freePort()))
const ids = Object.keys(servers)
const lines = []
for (const [scenario, path] of SCENARIOS) {
  const rps = Object.fromEntries(ids.map((id) => [id, []]))
  const cpuUs = Object.fromEntries(ids.map((id) => [id, []]))
  for (const id of ids) await runWrk(`http://127.0.0.1:${servers[id].port}${path}`, { seconds: warmup, connections })
  for (let r = 0; r < rounds; r++) {
    for (const id of rotated(ids, r)) {
      const before = cpuByPid(servers[id].child.pid)
      const res = await runWrk(`http://127.0.0.1:${servers[id].port}${path}`, { seconds, connections })
      // CPU per request of the server's whole process group (gu: arbiter + worker).
      const cpu = [...cpuDelta(before, cpuByPid(servers[id].child.pid)).values()].reduce((a, b) => a + b, 0)
      if (res.errors) fail(`${servers[id].name}: ${res.errors} errors`)
      rps[id].push(res.rps)
      cpuUs[id].push((cpu / res.requests) * 1e6)
      console.error(`  ${scenario} round ${r + 1}: ${servers[id].name.padEnd(30)} ${res.rps.toFixed(0).padStart(7)} req/s  ${cpuUs[id].at(-1).toFixed(1).padStart(6)} us/req`)
      await sleep(150)
    }
  }
  lines.push(`${scenario}: ` + ids.map((id) => `${servers[id].name} ${median(rps[id]).toFixed(0)} req/s ${median(cpuUs[id]).toFixed(1)} us/req`).join(' · '))
  for (const [a, b, target] of RATIOS) {
    const perRound = rps[a].map((v, i) => v / rps[b][i])
    const ratio = median(perRound)
    const verdict = ratio >= target ? `target ≥ ${target}: met` : `target ≥ ${target}: NOT met`
    const cpuRatio = median(cpuUs[b]) / median(cpuUs[a])
    lines.push(`  ${servers[a].name} / ${servers[b].name}: ${ratio.toFixed(2)}x [rounds ${Math.min(...perRound).toFixed(2)}–${Math.max(...perRound).toFixed(2)}] (${verdict}); CPU per request, base/gu: ${cpuRatio.toFixed(2)}`)
  }
}
await stopAll()
console.log(lines.join('\n'))
