#!/usr/bin/env node
// gu load benchmark: gu vs node:http / node:cluster, same handler, same run, reported as ratios.
// usage: node bench/run.mjs [--duration 3] [--rounds 7] [--warmup 2] [--scenario plaintext|json|all]
//                           [--pair a|b|all] [--connections 50] [--threads 1] [--port 18100]
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { availableParallelism } from 'node:os'
import { killAllNow, sleep, startServer, stopAll, stopServer } from './lib/servers.mjs'
import { max, median, min } from './lib/stats.mjs'
import { checkWrk, runWrk } from './lib/wrk.mjs'
import { cpuByPid, cpuDelta } from './lib/cpu.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')
const { values: opt } = parseArgs({
  options: {
    duration: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '7' },
    warmup: { type: 'string', default: '2' },
    scenario: { type: 'string', default: 'all' },
    pair: { type: 'string', default: 'all' },
    connections: { type: 'string', default: '50' },
    threads: { type: 'string', default: '1' },
    port: { type: 'string', default: '18100' },
    help: { type: 'boolean', short: 'h', default: false },
  },
})
if (opt.help) {
  console.log('usage: node bench/run.mjs [--duration S] [--rounds N] [--warmup S] [--scenario plaintext|json|all] [--pair a|b|all] [--connections N] [--threads N] [--port BASE]')
  process.exit(0)
}

const SCENARIOS = { plaintext: '/', json: '/json' }
const seconds = Number(opt.duration)
const rounds = Number(opt.rounds)
const warmup = Number(opt.warmup)
const connections = Number(opt.connections)
const threads = Number(opt.threads)
const basePort = Number(opt.port)
const scenarios = opt.scenario === 'all' ? Object.keys(SCENARIOS) : opt.scenario.split(',')
for (const s of scenarios) if (!SCENARIOS[s]) fail(`unknown --scenario '${s}' (plaintext, json or all)`)

// `-k async` resolves @gu/worker-async from the app's directory; bench/ has no such dependency,
// so we name the built package by path: the same module `-k async` loads.
const guBin = join(root, 'packages/core/bin/gu.js')
const asyncWorker = join(root, 'packages/worker-async/dist/index.js')
const appModule = join(here, 'servers/app.mjs') + ':app'
const booted = (n) => (log) => /Listening at: http:\/\/127\.0\.0\.1:\d+/.test(log) && (log.match(/Booting worker with pid/g) ?? []).length >= n

const gu = (workers) => (port) => ({
  name: `gu -k async -w ${workers}`,
  command: process.execPath,
  args: [guBin, appModule, '-k', asyncWorker, '-w', String(workers), '-b', `127.0.0.1:${port}`],
  port,
  ready: booted(workers),
})
const bare = (port) => ({ name: 'node:http (1 process)', command: process.execPath, args: [join(here, 'servers/bare.mjs'), String(port)], port, ready: booted(0) })
const clusterOf = (workers) => (port) => ({
  name: `node:cluster (${workers} workers)`,
  command: process.execPath,
  args: [join(here, 'servers/cluster.mjs'), String(port), String(workers)],
  port,
  ready: booted(0),
})

const PAIRS = {
  a: { label: '(a) 1 worker', gu: gu(1), base: bare, target: 0.95 },
  b: { label: '(b) 2 workers', gu: gu(2), base: clusterOf(2), target: 1.0 },
}
const pairs = opt.pair === 'all' ? Object.keys(PAIRS) : opt.pair.split(',')
for (const p of pairs) if (!PAIRS[p]) fail(`unknown --pair '${p}' (a, b or all)`)

// Everything stops by itself: a hard deadline, and servers die with us on any exit path.
const budgetS = pairs.length * scenarios.length * 2 * (rounds * seconds + warmup) * 1.3 + 60
const deadline = setTimeout(() => fail(`over the time budget of ${Math.round(budgetS)} s`), budgetS * 1000)
deadline.unref()
process.on('exit', killAllNow)
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => fail(`interrupted by ${sig}`))
process.on('unhandledRejection', (error) => fail(error?.stack ?? String(error)))

function fail(message) {
  console.error(`bench: ${message}`)
  killAllNow()
  process.exit(1)
}

const wrkVersion = (() => {
  try {
    return checkWrk()
  } catch (error) {
    fail(error.message)
  }
})()
console.error(`bench: ${wrkVersion}; node ${process.version}; ${availableParallelism()} cpus; ` +
  `${rounds} rounds x ${seconds}s, warm-up ${warmup}s, ${connections} connections, ${threads} wrk thread(s)`)

const results = []
let port = basePort
for (const key of pairs) {
  const pair = PAIRS[key]
  const guSrv = await startServer(pair.gu(port++))
  const baseSrv = await startServer(pair.base(port++))
  const sides = [guSrv, baseSrv]
  for (const scenario of scenarios) {
    const url = (srv) => `http://127.0.0.1:${srv.port}${SCENARIOS[scenario]}`
    for (const srv of sides) await runWrk(url(srv), { seconds: warmup, connections, threads })
    const rps = new Map(sides.map((srv) => [srv, []]))
    const p99 = new Map(sides.map((srv) => [srv, []]))
    const cpuUs = new Map(sides.map((srv) => [srv, []]))
    let errors = 0
    for (let r = 0; r < rounds; r++) {
      // A, B then B, A: neither side always runs first (or right after a warm machine).
      for (const srv of r % 2 ? [...sides].reverse() : sides) {
        const before = cpuByPid(srv.child.pid)
        const res = await runWrk(url(srv), { seconds, connections, threads })
        const cpu = cpuDelta(before, cpuByPid(srv.child.pid))
        const cpuTotal = [...cpu.values()].reduce((a, b) => a + b, 0)
        rps.get(srv).push(res.rps)
        p99.get(srv).push(res.latencyP99Ms)
        cpuUs.get(srv).push((cpuTotal / res.requests) * 1e6)
        errors += res.errors
        const split = [...cpu.values()].map((s) => s.toFixed(2)).join('+')
        console.error(`  ${pair.label} ${scenario} round ${r + 1}: ${srv.name.padEnd(26)} ${res.rps.toFixed(0).padStart(7)} req/s  p99 ${res.latencyP99Ms.toFixed(2).padStart(6)} ms  cpu ${split} s = ${((cpuTotal / res.requests) * 1e6).toFixed(1)} us/req`)
        await sleep(200)
      }
    }
    const perRound = rps.get(guSrv).map((g, i) => g / rps.get(baseSrv)[i])
    results.push({
      pair: pair.label, scenario, gu: guSrv.name, base: baseSrv.name, target: pair.target, errors,
      guRps: median(rps.get(guSrv)), baseRps: median(rps.get(baseSrv)),
      guP99: median(p99.get(guSrv)), baseP99: median(p99.get(baseSrv)),
      guCpu: median(cpuUs.get(guSrv)), baseCpu: median(cpuUs.get(baseSrv)),
      ratio: median(rps.get(guSrv)) / median(rps.get(baseSrv)),
      roundRatio: { median: median(perRound), min: min(perRound), max: max(perRound) },
    })
  }
  await stopServer(guSrv)
  await stopServer(baseSrv)
}
await stopAll()

const f = (n, d = 0) => n.toFixed(d)
console.log('\n| pair | scenario | gu req/s (median) | baseline | baseline req/s (median) | ratio | per-round ratios (median, min–max) | target | p99 ms gu / base | CPU µs/req gu / base | CPU ratio base/gu | errors |')
console.log('|---|---|---:|---|---:|---:|---|---:|---|---|---:|---:|')
for (const r of results) {
  const verdict = r.ratio >= r.target ? 'met' : 'MISSED'
  console.log(`| ${r.pair} | ${r.scenario} | ${f(r.guRps)} | ${r.base} | ${f(r.baseRps)} | **${f(r.ratio, 3)}** | ${f(r.roundRatio.median, 3)} (${f(r.roundRatio.min, 3)}–${f(r.roundRatio.max, 3)}) | ≥ ${f(r.target, 2)} ${verdict} | ${f(r.guP99, 2)} / ${f(r.baseP99, 2)} | ${f(r.guCpu, 1)} / ${f(r.baseCpu, 1)} | ${f(r.baseCpu / r.guCpu, 3)} | ${r.errors} |`)
}
process.exit(results.some((r) => r.errors > 0) ? 2 : 0)
