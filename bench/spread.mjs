#!/usr/bin/env node
// How evenly keep-alive connections spread over 4 workers, and what it does to throughput and tail
// latency: gu -k async -w 4 against node:cluster ×4 (round-robin), same handler, same run.
// usage: node bench/spread.mjs [--bursts 20] [--connections 64] [--workers 4] [--duration 3]
//                              [--rounds 3] [--compare DIR]
//
// 1. spread: `bursts` times, open `connections` keep-alive connections at once (one request each),
//    count the connections each worker process holds (from /proc), close them;
// 2. throughput and p99 of `GET /` with wrk, `connections` keep-alive connections;
// 3. p99 of `GET /cpu` (5 ms of CPU per request) with wrk, `connections` connections.
// --compare DIR adds the gu side as built in another checkout (e.g. the code before a change).
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { benchOptions, fail, freePort, guardRun, rotated, wrkOrFail } from './lib/bench-script.mjs'
import { closeBurst, openBurst } from './lib/burst.mjs'
import { childPids, heldConnections } from './lib/held-connections.mjs'
import { sleep, startServer, stopAll } from './lib/servers.mjs'
import { median } from './lib/stats.mjs'
import { runWrk } from './lib/wrk.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')
const opt = benchOptions(
  {
    bursts: { type: 'string', default: '20' },
    connections: { type: 'string', default: '64' },
    workers: { type: 'string', default: '4' },
    duration: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    compare: { type: 'string' },
  },
  'usage: node bench/spread.mjs [--bursts 20] [--connections 64] [--workers 4] [--duration 3] [--rounds 3] [--compare DIR]',
)
const bursts = Number(opt.bursts)
const connections = Number(opt.connections)
const workers = Number(opt.workers)
const seconds = Number(opt.duration)
const rounds = Number(opt.rounds)
const fair = connections / workers
const appModule = join(here, 'servers/spread-app.mjs') + ':app'

const gu = (name, checkout) => (port) => ({
  name,
  command: process.execPath,
  args: [join(checkout, 'packages/core/bin/gu.js'), appModule, '-k', join(checkout, 'packages/worker-async/dist/index.js'), '-w', String(workers), '-b', `127.0.0.1:${port}`],
  port,
  ready: (log) => (log.match(/Booting worker with pid/g) ?? []).length >= workers,
})
const cluster = (port) => ({
  name: `node:cluster ×${workers}`,
  command: process.execPath,
  args: [join(here, 'servers/spread-cluster.mjs'), String(port), String(workers)],
  port,
  ready: (log) => /Listening at:/.test(log),
})
const SIDES = [gu(`gu -k async -w ${workers}`, root), ...(opt.compare ? [gu(`gu -k async -w ${workers} (${opt.compare})`, opt.compare)] : []), cluster]

// Each burst takes at most about 1.2 s (closing waits up to 1 s); each round two wrk runs per side.
guardRun(SIDES.length * (bursts * 1.5 + rounds * (2 * seconds + 1)) * 1.3 + 60)

/** Per worker, sorted busiest first: the connections each holds right now. */
const spreadOf = (server) => [...heldConnections(childPids(server.child.pid), server.port).values()].sort((a, b) => b - a)

async function spread(server) {
  const rows = []
  for (let i = 0; i < bursts; i++) {
    const sockets = await openBurst(server.port, connections)
    rows.push(spreadOf(server))
    await closeBurst(sockets)
    // Until every worker has seen its connections close: the next burst starts from zero.
    for (let t = 0; t < 40 && spreadOf(server).some((n) => n > 0); t++) await sleep(25)
    await sleep(100)
  }
  return rows
}

async function main() {
  const wrk = wrkOrFail()
  const servers = []
  for (const side of SIDES) servers.push(await startServer(side(await freePort())))
  await sleep(500)
  const report = servers.map((server) => ({ name: server.name, spread: [], underLoad: [], rps: [], p99: [], cpuP99: [], errors: 0 }))

  for (const [i, server] of servers.entries()) {
    process.stderr.write(`spread: ${server.name}\n`)
    report[i].spread = await spread(server)
  }
  for (let round = 0; round < rounds; round++) {
    // Rotate who goes first, so no side always runs on the freshest machine.
    for (const i of rotated([...servers.keys()], round)) {
      const server = servers[i]
      const url = `http://127.0.0.1:${server.port}`
      const sample = sleep(seconds * 500).then(() => spreadOf(server))
      const light = await runWrk(`${url}/`, { seconds, connections })
      report[i].underLoad.push(await sample)
      const heavy = await runWrk(`${url}/cpu`, { seconds, connections })
      report[i].rps.push(light.rps)
      report[i].p99.push(light.latencyP99Ms)
      report[i].cpuP99.push(heavy.latencyP99Ms)
      report[i].errors += light.errors + heavy.errors
      process.stderr.write(`round ${round + 1} ${server.name}: ${light.rps.toFixed(0)} req/s, p99 ${light.latencyP99Ms} ms; /cpu p99 ${heavy.latencyP99Ms} ms; held ${report[i].underLoad.at(-1).join('/')}\n`)
      await sleep(200)
    }
  }
  await stopAll()
  print(report, wrk)
}

function print(report, wrk) {
  const share = (rows) => Math.max(...rows.map((r) => r[0])) / fair
  console.log(`Node ${process.version}, ${wrk}; ${workers} workers, ${connections} connections (fair share ${fair}); ${bursts} bursts; ${rounds} rounds × ${seconds} s\n`)
  console.log('| server | busiest worker, worst burst (× fair share) | busiest, median burst | under wrk load, worst | req/s `/` (median) | p99 `/` ms | p99 `/cpu` (5 ms CPU) ms | errors |')
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
  for (const r of report) {
    const busiest = r.spread.map((row) => row[0])
    console.log(`| ${r.name} | ${Math.max(...busiest)} (${share(r.spread).toFixed(2)}×) | ${median(busiest)} | ${Math.max(...r.underLoad.map((row) => row[0]))} (${share(r.underLoad).toFixed(2)}×) | ${median(r.rps).toFixed(0)} | ${median(r.p99).toFixed(2)} | ${median(r.cpuP99).toFixed(1)} | ${r.errors} |`)
  }
  const base = report.at(-1)
  for (const r of report.slice(0, -1)) console.log(`\n${r.name} / ${base.name}: req/s ${(median(r.rps) / median(base.rps)).toFixed(3)}, /cpu p99 ${(median(r.cpuP99) / median(base.cpuP99)).toFixed(2)}`)
  for (const r of report) console.log(`\n${r.name}, each burst (connections per worker, busiest first): ${r.spread.map((row) => row.join('/')).join(', ')}`)
}

main().catch((error) => fail(error.message))
