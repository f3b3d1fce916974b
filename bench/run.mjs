#!/usr/bin/env node
// gu load benchmark: gu vs node:http / node:cluster / Gunicorn, same answers, same run, reported as ratios.
// usage: node bench/run.mjs [--duration 3] [--rounds 7] [--warmup 2] [--scenario plaintext|json|all]
//                           [--pair a|b|c|all] [--connections 50] [--threads 1] [--port 18100]
//                           [--compare DIR]   (also measure the gu side as built in another checkout)
//                           [--installed DIR] (also measure the gu side as installed in a project)
//                           [--gu-args "ARGS"] (extra gu options for this checkout's gu side, e.g. "--metrics-bind 127.0.0.1:0")
//                           [--every-gu-args "ARGS"] (extra gu options for every gu side, --compare's too; {port} is the side's port)
//                           [--plain] (pair (a) also against a plain node:http server in a gu worker: gu's request path alone)
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { availableParallelism } from 'node:os'
import { benchOptions, booted, fail, guardRun, rotated, wrkOrFail } from './lib/bench-script.mjs'
import { sleep, startServer, stopAll, stopServer } from './lib/servers.mjs'
import { max, median, min } from './lib/stats.mjs'
import { runWrk } from './lib/wrk.mjs'
import { cpuByPid, cpuDelta } from './lib/cpu.mjs'
import { checkGunicorn, gunicornCommand } from './lib/gunicorn.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')
const opt = benchOptions(
  {
    duration: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '7' },
    warmup: { type: 'string', default: '2' },
    scenario: { type: 'string', default: 'all' },
    pair: { type: 'string', default: 'all' },
    connections: { type: 'string', default: '50' },
    threads: { type: 'string', default: '1' },
    port: { type: 'string', default: '18100' },
    compare: { type: 'string' },
    installed: { type: 'string' },
    'gu-args': { type: 'string', default: '' },
    'every-gu-args': { type: 'string', default: '' },
    plain: { type: 'boolean', default: false },
  },
  'usage: node bench/run.mjs [--duration S] [--rounds N] [--warmup S] [--scenario plaintext|json|all] [--pair a|b|c|all] [--connections N] [--threads N] [--port BASE] [--compare DIR] [--installed DIR] [--gu-args "ARGS"] [--every-gu-args "ARGS"] [--plain]',
)

const SCENARIOS = { plaintext: '/', json: '/json' }
const seconds = Number(opt.duration)
const rounds = Number(opt.rounds)
const warmup = Number(opt.warmup)
const connections = Number(opt.connections)
const threads = Number(opt.threads)
const basePort = Number(opt.port)
const scenarios = opt.scenario === 'all' ? Object.keys(SCENARIOS) : opt.scenario.split(',')
for (const s of scenarios) if (!SCENARIOS[s]) fail(`unknown --scenario '${s}' (plaintext, json or all)`)

// `-k async` / `-k sync` resolve @gu/worker-async / @gu/worker-sync from the app's directory;
// bench/ has no such dependency, so we name the built package by path: the same module `-k` loads.
const builtIn = (checkout) => ({
  bin: join(checkout, 'packages/core/bin/gu.js'),
  async: join(checkout, 'packages/worker-async/dist/index.js'),
  sync: join(checkout, 'packages/worker-sync/dist/index.js'),
})
const guBin = builtIn(root).bin
const WORKERS = builtIn(root)
// --compare DIR: the same gu side from another checkout (built there), as one more baseline of
// each pair, so a change is measured against the code before it in the same run.
const compared = opt.compare ? builtIn(opt.compare) : undefined
// --installed DIR: gu as a user's project has it (packed, then installed by npm or pnpm), as one
// more baseline: what an install ships must serve as fast as the workspace build.
const installedIn = (project) => ({
  bin: join(project, 'node_modules/@gu/core/bin/gu.js'),
  async: join(project, 'node_modules/@gu/worker-async/dist/index.js'),
  sync: join(project, 'node_modules/@gu/worker-sync/dist/index.js'),
})
const installed = opt.installed ? installedIn(opt.installed) : undefined
const appModule = join(here, 'servers/app.mjs') + ':app'

// --gu-args: options for this checkout's gu side only (the --compare side runs as it is).
const guArgs = opt['gu-args'].split(/\s+/).filter(Boolean)
// --every-gu-args: options for every gu side, so both sides of --compare pay for them (the access
// log on, say); `{port}` is replaced by the side's port, so each can write its own file.
const everyGuArgs = (port) => opt['every-gu-args'].split(/\s+/).filter(Boolean).map((a) => a.replaceAll('{port}', String(port)))
const gu = (kind, workers, build = WORKERS, label = '') => (port) => ({
  name: `gu -k ${kind} -w ${workers}${label}${build === WORKERS && guArgs.length ? ` ${guArgs.join(' ')}` : ''}`,
  command: process.execPath,
  args: [build.bin, appModule, '-k', build[kind], '-w', String(workers), '-b', `127.0.0.1:${port}`, ...(build === WORKERS ? guArgs : []), ...everyGuArgs(port)],
  port,
  ready: booted(workers),
})
const bare = (port) => ({ name: 'node:http (1 process)', command: process.execPath, args: [join(here, 'servers/bare.mjs'), String(port)], port, ready: booted(0) })
// Pair (b)'s node:cluster keeps Node's default round-robin scheduling (the primary accepts and
// hands each connection to a worker: cheap with keep-alive). Pair (c)'s opens a connection per
// request, where that hand-off would dominate, so it uses SCHED_NONE: the workers accept from the
// shared socket themselves, as gu's and Gunicorn's workers do.
const clusterOf = (workers, close = false) => (port) => ({
  name: `node:cluster (${workers} workers${close ? ', close, sched none' : ''})`,
  command: process.execPath,
  args: [join(here, 'servers/cluster.mjs'), String(port), String(workers), ...(close ? ['close'] : [])],
  env: { NODE_CLUSTER_SCHED_POLICY: close ? 'none' : 'rr' },
  port,
  ready: booted(0),
})
// Debian's Gunicorn, sync worker, serving bench/servers/wsgi_app.py (the same two answers).
const gunicornSync = (workers) => (port) => ({
  name: `gunicorn -k sync -w ${workers}`,
  command: gunicornCommand(),
  args: ['--chdir', join(here, 'servers'), '-k', 'sync', '-w', String(workers), '-b', `127.0.0.1:${port}`, 'wsgi_app:app'],
  env: { PYTHONDONTWRITEBYTECODE: '1' }, // no __pycache__ in bench/servers
  port,
  ready: booted(workers),
})

// Each pair: one gu side and one or more baselines, all measured interleaved in the same rounds.
// Pair (c) is connection-per-request: gu's sync worker and Gunicorn's sync worker close every
// connection after one response, so wrk asks for that on every request and the node:cluster
// baseline answers `Connection: close` too.
const PAIRS = {
  a: { label: '(a) 1 worker', worker: 'async', workers: 1, gu: gu('async', 1), bases: [{ server: bare, target: 0.95 }] },
  b: { label: '(b) 2 workers', worker: 'async', workers: 2, gu: gu('async', 2), bases: [{ server: clusterOf(2), target: 1.0 }] },
  c: {
    label: '(c) sync, 2 workers',
    worker: 'sync',
    workers: 2,
    gu: gu('sync', 2),
    bases: [{ server: gunicornSync(2), target: 1.25 }, { server: clusterOf(2, true), target: 0.9 }],
    headers: ['Connection: close'],
  },
}
if (compared) {
  for (const pair of Object.values(PAIRS)) pair.bases.push({ server: gu(pair.worker, pair.workers, compared, ` (${opt.compare})`), target: 0.97 })
}
if (installed) {
  // The installed gu must serve within 10% of the workspace build: installed ≥ 0.9 × workspace,
  // i.e. workspace / installed (the ratio shown) at most 1/0.9.
  for (const pair of Object.values(PAIRS)) pair.bases.push({ server: gu(pair.worker, pair.workers, installed, ` (installed in ${opt.installed})`), target: 0.9, upTo: 1 / 0.9 })
}
// --plain: the same process, accept and sockets as gu's, without its request path (see the server's file).
const plainWorker = (port) => ({
  name: 'node:http in a gu worker (--plain)',
  command: process.execPath,
  args: [guBin, appModule, '-k', join(here, 'servers/plain-async-worker.mjs'), '-w', '1', '-b', `127.0.0.1:${port}`],
  port,
  ready: booted(1),
})
if (opt.plain) PAIRS.a.bases.push({ server: plainWorker, target: 0.95 })
const pairs = opt.pair === 'all' ? Object.keys(PAIRS) : opt.pair.split(',')
for (const p of pairs) if (!PAIRS[p]) fail(`unknown --pair '${p}' (a, b, c or all)`)

// Everything stops by itself: a hard deadline, and servers die with us on any exit path.
const sideRuns = pairs.reduce((n, p) => n + 1 + PAIRS[p].bases.length, 0)
const budgetS = sideRuns * scenarios.length * (rounds * (seconds + 0.2) + warmup) * 1.3 + 60 * pairs.length
guardRun(budgetS)

const wrkVersion = wrkOrFail()
for (const p of pairs) {
  for (const worker of [WORKERS[PAIRS[p].worker], compared?.[PAIRS[p].worker], installed?.[PAIRS[p].worker]].filter(Boolean)) if (!existsSync(worker)) {
    fail(`pair ${p} needs ${worker}, which does not exist: build the workspace first (npx -y pnpm@10.34.8 build)`)
  }
}
const gunicornVersion = (() => {
  if (!pairs.includes('c')) return undefined
  try {
    return checkGunicorn()
  } catch (error) {
    fail(error.message)
  }
})()
console.error(`bench: ${wrkVersion}; ${gunicornVersion ? `${gunicornVersion} (${gunicornCommand()}); ` : ''}node ${process.version}; ${availableParallelism()} cpus; ` +
  `${rounds} rounds x ${seconds}s, warm-up ${warmup}s, ${connections} connections, ${threads} wrk thread(s)`)

/** runWrk, and when it fails, say whether the server under test is still alive and what it logged. */
async function measure(srv, url, options) {
  try {
    return await runWrk(url, options)
  } catch (error) {
    const { exitCode, signalCode } = srv.child
    const state = exitCode === null && signalCode === null ? 'still running' : `exited (${exitCode ?? signalCode})`
    throw new Error(`${error.message}\n${srv.name} is ${state}; the end of its log:\n${srv.log.slice(-2000)}`)
  }
}

const results = []
let port = basePort
for (const key of pairs) {
  const pair = PAIRS[key]
  const load = { connections, threads, headers: pair.headers ?? [] }
  const guSrv = await startServer(pair.gu(port++))
  const bases = []
  for (const base of pair.bases) bases.push({ srv: await startServer(base.server(port++)), target: base.target, upTo: base.upTo })
  const sides = [guSrv, ...bases.map((b) => b.srv)]
  for (const scenario of scenarios) {
    const url = (srv) => `http://127.0.0.1:${srv.port}${SCENARIOS[scenario]}`
    for (const srv of sides) await measure(srv, url(srv), { ...load, seconds: warmup })
    const rps = new Map(sides.map((srv) => [srv, []]))
    const p99 = new Map(sides.map((srv) => [srv, []]))
    const cpuUs = new Map(sides.map((srv) => [srv, []]))
    const errors = new Map(sides.map((srv) => [srv, 0]))
    for (let r = 0; r < rounds; r++) {
      for (const srv of rotated(sides, r)) {
        const before = cpuByPid(srv.child.pid)
        const res = await measure(srv, url(srv), { ...load, seconds })
        const cpu = cpuDelta(before, cpuByPid(srv.child.pid))
        const cpuTotal = [...cpu.values()].reduce((a, b) => a + b, 0)
        rps.get(srv).push(res.rps)
        p99.get(srv).push(res.latencyP99Ms)
        cpuUs.get(srv).push((cpuTotal / res.requests) * 1e6)
        errors.set(srv, errors.get(srv) + res.errors)
        const split = [...cpu.values()].map((s) => s.toFixed(2)).join('+')
        console.error(`  ${pair.label} ${scenario} round ${r + 1}: ${srv.name.padEnd(44)} ${res.rps.toFixed(0).padStart(7)} req/s  p99 ${res.latencyP99Ms.toFixed(2).padStart(6)} ms  cpu ${split} s = ${((cpuTotal / res.requests) * 1e6).toFixed(1)} us/req`)
        await sleep(200)
      }
    }
    for (const { srv: baseSrv, target, upTo } of bases) {
      const perRound = rps.get(guSrv).map((g, i) => g / rps.get(baseSrv)[i])
      results.push({
        pair: pair.label, scenario, gu: guSrv.name, base: baseSrv.name, target, upTo,
        errors: errors.get(guSrv) + errors.get(baseSrv),
        guRps: median(rps.get(guSrv)), baseRps: median(rps.get(baseSrv)),
        guP99: median(p99.get(guSrv)), baseP99: median(p99.get(baseSrv)),
        guCpu: median(cpuUs.get(guSrv)), baseCpu: median(cpuUs.get(baseSrv)),
        ratio: median(rps.get(guSrv)) / median(rps.get(baseSrv)),
        roundRatio: { median: median(perRound), min: min(perRound), max: max(perRound) },
      })
    }
  }
  for (const srv of sides) await stopServer(srv)
}
await stopAll()

const f = (n, d = 0) => n.toFixed(d)
console.log('\n| pair | scenario | gu req/s (median) | baseline | baseline req/s (median) | ratio | per-round ratios (median, min–max) | target | p99 ms gu / base | CPU µs/req gu / base | CPU ratio base/gu | errors |')
console.log('|---|---|---:|---|---:|---:|---|---:|---|---|---:|---:|')
for (const r of results) {
  // upTo: a baseline that must be matched, not beaten (the same gu, installed): a band.
  const verdict = r.ratio >= r.target && !(r.upTo && r.ratio > r.upTo) ? 'met' : 'MISSED'
  const target = r.upTo ? `${f(r.target, 2)}–${f(r.upTo, 2)}` : `≥ ${f(r.target, 2)}`
  console.log(`| ${r.pair} | ${r.scenario} | ${f(r.guRps)} | ${r.base} | ${f(r.baseRps)} | **${f(r.ratio, 3)}** | ${f(r.roundRatio.median, 3)} (${f(r.roundRatio.min, 3)}–${f(r.roundRatio.max, 3)}) | ${target} ${verdict} | ${f(r.guP99, 2)} / ${f(r.baseP99, 2)} | ${f(r.guCpu, 1)} / ${f(r.baseCpu, 1)} | ${f(r.baseCpu / r.guCpu, 3)} | ${r.errors} |`)
}
process.exit(results.some((r) => r.errors > 0) ? 2 : 0)
