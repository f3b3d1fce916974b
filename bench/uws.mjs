#!/usr/bin/env node
// gu -k uws against bare uWebSockets.js, gu -k async and bare node:http (1 worker), then
// gu -k uws -w 2 against node:cluster x2: hello plaintext and JSON, keep-alive, wrk, same-run
// ratios with the sides interleaved each round, and each side's CPU per request (its process
// group's utime+stime from /proc over its wrk runs). With --compare DIR, part one also runs gu -k
// uws as built in the checkout at DIR (e.g. /work/main), for a same-run A/B; --part compare runs
// only that A/B.
// usage: node bench/uws.mjs [--duration 2] [--rounds 3] [--warmup 1] [--connections 50] [--port 18200] [--part one|two|front|compare|all] [--compare DIR]
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { availableParallelism } from 'node:os'
import { cpuByPid, cpuDelta } from './lib/cpu.mjs'
import { benchOptions, booted, fail, guardRun, rotated, wrkOrFail } from './lib/bench-script.mjs'
import { sleep, startServer, stopAll } from './lib/servers.mjs'
import { median } from './lib/stats.mjs'
import { runWrk } from './lib/wrk.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')
const USAGE = 'usage: node bench/uws.mjs [--duration 2] [--rounds 3] [--warmup 1] [--connections 50] [--port 18200] [--part one|two|front|compare|all] [--compare DIR]'
const opt = benchOptions(
  {
    duration: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    connections: { type: 'string', default: '50' },
    port: { type: 'string', default: '18200' },
    part: { type: 'string', default: 'all' },
    compare: { type: 'string' },
  },
  USAGE,
)
const seconds = Number(opt.duration)
const rounds = Number(opt.rounds)
const warmup = Number(opt.warmup)
const connections = Number(opt.connections)
let port = Number(opt.port)

const guBin = join(root, 'packages/core/bin/gu.js')
const UWS = join(root, 'packages/worker-uws/dist/index.js')
const ASYNC = join(root, 'packages/worker-async/dist/index.js')
for (const file of [UWS, ASYNC]) if (!existsSync(file)) fail(`${file} does not exist: build the workspace first (npx -y pnpm@10.34.8 build)`)
const compared = opt.compare && { bin: join(opt.compare, 'packages/core/bin/gu.js'), uws: join(opt.compare, 'packages/worker-uws/dist/index.js') }
if (compared) for (const file of [compared.uws, join(opt.compare, 'packages/core/dist/index.js')]) if (!existsSync(file)) fail(`${file} does not exist: build that checkout first`)
const nodeApp = join(here, 'servers/app.mjs') + ':app'
const fetchApp = join(here, 'servers/uws-fetch-app.mjs')

const gu = (name, app, worker, workers, bin = guBin) => (p) => ({ name, command: process.execPath, args: [bin, app, '-k', worker, '-w', String(workers), '-b', `127.0.0.1:${p}`], port: p, ready: booted(workers) })
const script = (name, file, ...extra) => (p) => ({ name, command: process.execPath, args: [join(here, 'servers', file), String(p), ...extra], port: p, ready: booted(0), env: { NODE_CLUSTER_SCHED_POLICY: 'rr' } })

const PARTS = {
  one: {
    label: '1 worker',
    sides: {
      uwsFetch: gu('gu -k uws, fetch app', fetchApp, UWS, 1),
      uwsNode: gu('gu -k uws, node app', nodeApp, UWS, 1),
      bareUws: script('bare uWebSockets.js', 'uws-bare.mjs'),
      async: gu('gu -k async, node app', nodeApp, ASYNC, 1),
      bareNode: script('bare node:http', 'bare.mjs'),
    },
    ratios: [
      ['uwsFetch', 'bareUws', 0.9],
      ['uwsFetch', 'async', 3],
      ['uwsNode', 'async', 2],
      ['bareUws', 'bareNode', undefined],
      ['async', 'bareNode', undefined],
    ],
  },
  // Item "no client left hanging": what a node:net front that pipes to uWS would cost.
  front: {
    label: 'front',
    sides: {
      bareUws: script('bare uWebSockets.js', 'uws-bare.mjs'),
      frontUws: script('uWS behind a node:net front', 'uws-net-front.mjs'),
    },
    ratios: [['frontUws', 'bareUws', undefined]],
  },
  two: {
    label: '2 workers',
    sides: {
      uwsFetch2: gu('gu -k uws -w 2, fetch app', fetchApp, UWS, 2),
      uwsNode2: gu('gu -k uws -w 2, node app', nodeApp, UWS, 2),
      cluster2: script('node:cluster x2', 'cluster.mjs', '2'),
    },
    ratios: [
      ['uwsFetch2', 'cluster2', undefined],
      ['uwsNode2', 'cluster2', undefined],
    ],
  },
}

if (compared) {
  // Against the other checkout: the band of "no change" on this machine, not a goal.
  Object.assign(PARTS.one.sides, {
    oldFetch: gu('gu -k uws, fetch app (compared)', fetchApp, compared.uws, 1, compared.bin),
    oldNode: gu('gu -k uws, node app (compared)', nodeApp, compared.uws, 1, compared.bin),
  })
  PARTS.one.ratios.push(['uwsFetch', 'oldFetch', undefined], ['uwsNode', 'oldNode', undefined])
  // The A/B alone, four sides: more rounds in the same time, for a change too small to see beside the others.
  const { uwsFetch, oldFetch, uwsNode, oldNode } = PARTS.one.sides
  PARTS.compare = { label: 'compare', sides: { uwsFetch, oldFetch, uwsNode, oldNode }, ratios: [['uwsFetch', 'oldFetch', undefined], ['uwsNode', 'oldNode', undefined]] }
}

if (opt.part === 'compare' && !compared) fail('--part compare needs --compare DIR (a built checkout, e.g. /work/main)')
const partKeys = opt.part === 'all' ? ['one', 'two'] : [opt.part]
// At most five sides a part, two scenarios, warm-up and rounds each, plus start-up.
guardRun(60 + partKeys.length * 2 * (compared ? 7 : 5) * (warmup + rounds * (seconds + 0.5)) * 1.5)

console.error(`bench: ${wrkOrFail()}; node ${process.version}; ${availableParallelism()} cpus; ${rounds} rounds x ${seconds}s, warm-up ${warmup}s, ${connections} connections, 1 wrk thread`)
const lines = []
for (const key of partKeys) {
  const part = PARTS[key]
  if (!part) fail(`unknown --part ${key}`)
  const servers = {}
  for (const [id, make] of Object.entries(part.sides)) servers[id] = await startServer(make(port++))
  const ids = Object.keys(servers)
  for (const [scenario, path] of [['plaintext', '/'], ['json', '/json']]) {
    const rps = Object.fromEntries(ids.map((id) => [id, []]))
    const cpuUs = Object.fromEntries(ids.map((id) => [id, []]))
    for (const id of ids) await runWrk(`http://127.0.0.1:${servers[id].port}${path}`, { seconds: warmup, connections })
    for (let r = 0; r < rounds; r++) {
      for (const id of rotated(ids, r)) {
        const before = cpuByPid(servers[id].child.pid)
        const res = await runWrk(`http://127.0.0.1:${servers[id].port}${path}`, { seconds, connections })
        // The whole process group: gu's arbiter and worker (the arbiter's share is small and steady).
        const cpu = [...cpuDelta(before, cpuByPid(servers[id].child.pid)).values()].reduce((a, b) => a + b, 0)
        if (res.errors) fail(`${servers[id].name}: ${res.errors} errors`)
        rps[id].push(res.rps)
        cpuUs[id].push((cpu / res.requests) * 1e6)
        console.error(`  ${part.label} ${scenario} round ${r + 1}: ${servers[id].name.padEnd(36)} ${res.rps.toFixed(0).padStart(7)} req/s ${cpuUs[id].at(-1).toFixed(1).padStart(6)} us/req`)
        await sleep(150)
      }
    }
    lines.push(`${part.label}, ${scenario}: ` + ids.map((id) => `${servers[id].name} ${median(rps[id]).toFixed(0)} req/s ${median(cpuUs[id]).toFixed(2)} us/req`).join(' · '))
    for (const [a, b, target] of part.ratios) {
      const perRound = rps[a].map((v, i) => v / rps[b][i])
      const ratio = median(perRound)
      const verdict = target === undefined ? '' : ratio >= target ? ` (target ≥ ${target}: met)` : ` (target ≥ ${target}: NOT met)`
      const cpuRatio = median(cpuUs[b]) / median(cpuUs[a])
      lines.push(`  ${servers[a].name} / ${servers[b].name}: ${ratio.toFixed(2)}x [rounds ${Math.min(...perRound).toFixed(2)}–${Math.max(...perRound).toFixed(2)}]${verdict}; by CPU per request (${servers[b].name} ÷ ${servers[a].name}): ${cpuRatio.toFixed(2)}`)
    }
  }
  await stopAll()
}
console.log(lines.join('\n'))
