#!/usr/bin/env node
// The threads worker class under CPU-bound load: gu -k threads (2 and 4 threads) against gu -k async
// and a bare node:http + piscina server, one worker process each, in the same run.
// usage: node bench/threads.mjs [--duration 3] [--rounds 3] [--warmup 1] [--connections 8]
//                               [--light-connections 2] [--busy-connections 2] [--hash-kb 2048]
//
// 1. throughput of /cpu (BENCH_HASH_KB hashed per request) with --connections clients, and the CPU
//    per request it cost: the serving process's main thread alone, and every process of the server;
// 2. p99 latency of /light while --busy-connections other clients keep /cpu busy ("heavy load"):
//    with 2, a light request waits behind at most two heavy ones even on async; more busy clients
//    show what a blocked event loop costs (async queues the light request behind all of them);
// 3. RSS of one worker process with 4 threads vs 4 async worker processes, after a load.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { cpuByPid, cpuDelta, mainThreadCpu } from './lib/cpu.mjs'
import { benchOptions, booted, freePort, guardRun, wrkOrFail } from './lib/bench-script.mjs'
import { sleep, startServer, stopAll, stopServer } from './lib/servers.mjs'
import { median } from './lib/stats.mjs'
import { runWrk } from './lib/wrk.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')
const USAGE = 'usage: node bench/threads.mjs [--duration 3] [--rounds 3] [--warmup 1] [--connections 8] [--light-connections 2] [--busy-connections 2] [--hash-kb 2048]'
const opt = benchOptions(
  {
    duration: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    connections: { type: 'string', default: '8' },
    'light-connections': { type: 'string', default: '2' },
    'busy-connections': { type: 'string', default: '2' },
    'hash-kb': { type: 'string', default: '2048' },
  },
  USAGE,
)
const seconds = Number(opt.duration)
const rounds = Number(opt.rounds)
const connections = Number(opt.connections)
const lightConnections = Number(opt['light-connections'])
const busyConnections = Number(opt['busy-connections'])
const env = { BENCH_HASH_KB: opt['hash-kb'] }

const guBin = join(root, 'packages/core/bin/gu.js')
const appModule = join(here, 'servers/threads-app.mjs') + ':app'
const CLASSES = { async: join(root, 'packages/worker-async/dist/index.js'), threads: join(root, 'packages/worker-threads/dist/index.js') }

const gu = (kind, workers, threads) => (port) => ({
  name: threads ? `gu -k threads -w ${workers} (${threads} threads)` : `gu -k ${kind} -w ${workers}`,
  command: process.execPath,
  args: [guBin, appModule, '-k', CLASSES[kind], '-w', String(workers), '-b', `127.0.0.1:${port}`, ...(threads ? ['--threads', String(threads)] : [])],
  env,
  port,
  ready: booted(workers),
})
const bare = (threads) => (port) => ({
  name: `node:http + piscina (${threads} threads)`,
  command: process.execPath,
  args: [join(here, 'servers/threads-bare.mjs'), String(port), String(threads)],
  env,
  port,
  ready: booted(0),
})

const SERVERS = { async: gu('async', 1), threads2: gu('threads', 1, 2), threads4: gu('threads', 1, 4), bare2: bare(2), bare4: bare(4) }

// Five servers, each started once a round for a warm-up and two measured runs, plus two RSS runs.
guardRun(60 + (rounds * 5 * (Number(opt.warmup) + 2 * seconds + 3) + 2 * 5) * 1.5)

/** Each server's median /cpu req/s and /light p99 over `rounds`, servers interleaved within a round. */
async function measure() {
  const cpu = Object.fromEntries(Object.keys(SERVERS).map((k) => [k, []]))
  const lightP99 = Object.fromEntries(Object.keys(SERVERS).map((k) => [k, []]))
  const errors = Object.fromEntries(Object.keys(SERVERS).map((k) => [k, 0]))
  const mainUs = Object.fromEntries(Object.keys(SERVERS).map((k) => [k, []]))
  const processUs = Object.fromEntries(Object.keys(SERVERS).map((k) => [k, []]))
  for (let round = 1; round <= rounds; round++) {
    for (const [key, make] of Object.entries(SERVERS)) {
      const server = await startServer(make(await freePort()))
      const base = `http://127.0.0.1:${server.port}`
      try {
        if (Number(opt.warmup) > 0) await runWrk(`${base}/cpu`, { seconds: Number(opt.warmup), connections })
        const group = server.child.pid
        const serving = servingPid(group)
        const before = { group: cpuByPid(group), main: mainThreadCpu(serving) }
        const heavy = await runWrk(`${base}/cpu`, { seconds, connections })
        cpu[key].push(heavy.rps)
        const groupSeconds = [...cpuDelta(before.group, cpuByPid(group)).values()].reduce((a, b) => a + b, 0)
        mainUs[key].push((1e6 * (mainThreadCpu(serving) - before.main)) / heavy.requests)
        processUs[key].push((1e6 * groupSeconds) / heavy.requests)
        // Heavy load: busy clients keep /cpu busy while others ask for /light.
        const [light, busy] = await Promise.all([
          runWrk(`${base}/light`, { seconds, connections: lightConnections }),
          runWrk(`${base}/cpu`, { seconds, connections: busyConnections }),
        ])
        lightP99[key].push(light.latencyP99Ms)
        errors[key] += heavy.errors + light.errors + busy.errors
        console.error(`round ${round} ${server.name}: /cpu ${heavy.rps.toFixed(0)} req/s, /light p99 ${light.latencyP99Ms.toFixed(2)} ms under load`)
      } finally {
        await stopServer(server)
      }
    }
  }
  return { cpu, lightP99, errors, mainUs, processUs }
}

/** The process that serves: gu's one worker (the group's member that isn't the arbiter), or the bare server itself. */
function servingPid(group) {
  return [...cpuByPid(group).keys()].find((pid) => pid !== group) ?? group
}

/** RSS (MiB) of the worker processes of a gu arbiter: every process of its group but the arbiter. */
function workerRss(arbiterPid) {
  let total = 0
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(fields[2]) !== arbiterPid || Number(pid) === arbiterPid) continue
      total += Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024
    } catch {}
  }
  return total
}

async function rss(make) {
  const server = await startServer(make(await freePort()))
  try {
    await runWrk(`http://127.0.0.1:${server.port}/cpu`, { seconds: 2, connections })
    await sleep(300)
    return workerRss(server.child.pid)
  } finally {
    await stopServer(server)
  }
}

try {
  console.error(wrkOrFail())
  const { cpu, lightP99, errors, mainUs, processUs } = await measure()
  const m = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, median(v)]))
  const rps = m(cpu)
  const p99 = m(lightP99)
  const main = m(mainUs)
  const whole = m(processUs)
  const rssThreads = await rss(gu('threads', 1, 4))
  const rssAsync = await rss(gu('async', 4))
  const f = (n, d = 2) => n.toFixed(d)
  console.log(`## threads benchmark: ${opt['hash-kb']} KB hashed per /cpu request, ${connections} connections, ${rounds} rounds of ${seconds}s\n`)
  console.log('| server | /cpu req/s | /cpu: main thread µs/req | /cpu: all processes µs/req | /light p99 under load (ms) | errors |')
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |')
  for (const key of Object.keys(SERVERS)) {
    console.log(`| ${SERVERS[key](0).name} | ${f(rps[key], 0)} | ${f(main[key], 0)} | ${f(whole[key], 0)} | ${f(p99[key])} | ${errors[key]} |`)
  }
  console.log('')
  console.log(`- /cpu throughput, threads ÷ async: 2 threads ${f(rps.threads2 / rps.async)}×, 4 threads ${f(rps.threads4 / rps.async)}× (target ≥ 1.7×)`)
  console.log(`- /cpu throughput, threads ÷ bare piscina (same thread count): 2 threads ${f(rps.threads2 / rps.bare2)}×, 4 threads ${f(rps.threads4 / rps.bare4)}× (target ≥ 0.9×)`)
  console.log(`- CPU per /cpu request, threads ÷ bare piscina: 2 threads ${f(whole.threads2 / whole.bare2)}× (main thread ${f(main.threads2 / main.bare2)}×), 4 threads ${f(whole.threads4 / whole.bare4)}× (main thread ${f(main.threads4 / main.bare4)}×)`)
  console.log(`- /light p99 with ${busyConnections} clients on /cpu, async ÷ threads: 2 threads ${f(p99.async / p99.threads2, 1)}×, 4 threads ${f(p99.async / p99.threads4, 1)}× lower (target ≥ 5×)`)
  console.log(`- RSS: 1 threads worker with 4 threads ${f(rssThreads, 0)} MiB; 4 async workers ${f(rssAsync, 0)} MiB in all`)
} finally {
  await stopAll()
}
