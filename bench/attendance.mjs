#!/usr/bin/env node
// apps/attendance-api under a mixed read/write load (8 searches, 1 search/all, 1 create in
// every 10 requests), under each gu worker class with 2 workers, on SQLite and (with
// DATABASE_URL) on PostgreSQL; the original's stack, Flask on Gunicorn's sync worker with 2
// workers (Debian's packages), is the baseline measured in the same run on the same data.
// usage: node bench/attendance.mjs [--duration 5] [--rounds 3] [--warmup 1] [--connections 32]
//                                  [--classes sync,async,threads,uws] [--port 18200] [--no-flask]
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { spawnSync } from 'node:child_process'
import { killAllNow, startServer, stopServer } from './lib/servers.mjs'
import { median } from './lib/stats.mjs'
import { checkWrk, runWrk } from './lib/wrk.mjs'
import { checkGunicorn, gunicornCommand } from './lib/gunicorn.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const appDir = join(here, '../apps/attendance-api')
const { values: opt } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    connections: { type: 'string', default: '32' },
    classes: { type: 'string', default: 'sync,async,threads,uws' },
    port: { type: 'string', default: '18200' },
    'no-flask': { type: 'boolean', default: false },
  },
})
const seconds = Number(opt.duration)
const rounds = Number(opt.rounds)
const connections = Number(opt.connections)
const classes = opt.classes.split(',')
let port = Number(opt.port)
const script = join(here, 'servers/attendance-mix.lua')
const guBin = join(appDir, 'node_modules/@gu/core/bin/gu.js')
const pg = createRequire(join(appDir, 'package.json'))('pg')

process.on('exit', killAllNow)
process.on('SIGINT', () => process.exit(130))

checkWrk()
const flask = !opt['no-flask'] && flaskAvailable()
const databases = ['sqlite', ...(process.env.DATABASE_URL ? ['postgresql'] : [])]
if (!process.env.DATABASE_URL) console.error('DATABASE_URL is not set: PostgreSQL is skipped (source .ci/services.sh to start one)')

// Every round starts each side afresh (new data directory or database, the same 100 seeded
// records): the creates make search/all grow, so a long-running side would be measured on more
// data than a fresh one. Rounds go round-robin over the sides, so noise on this shared machine
// falls on all of them alike.
const sides = []
for (const database of databases) {
  if (flask) sides.push({ database, label: 'Flask + Gunicorn sync -w 2', spec: flaskServer, runs: [] })
  for (const workerClass of classes) sides.push({ database, label: `gu -k ${workerClass} -w 2`, spec: (p, env) => guServer(workerClass, p, env), runs: [] })
}
for (let round = 1; round <= rounds; round++) {
  for (const side of sides) {
    const run = await measureOnce(side)
    side.runs.push(run)
    console.error(`round ${round}/${rounds} ${side.database} ${side.label}: ${run.rps.toFixed(0)} req/s, p99 ${run.latencyP99Ms.toFixed(1)} ms, errors ${run.errors}`)
  }
}
printTable(sides.map(({ database, label, runs }) => ({
  database,
  label,
  rps: median(runs.map((r) => r.rps)),
  p99: median(runs.map((r) => r.latencyP99Ms)),
  errors: runs.reduce((sum, r) => sum + r.errors, 0),
})))

function guServer(workerClass, p, env) {
  return {
    name: `gu -k ${workerClass}`,
    command: process.execPath,
    args: [guBin, 'app:app', '-c', join(here, 'servers/attendance.gu.config.mjs'), '-k', workerClass, '-w', '2', '-b', `127.0.0.1:${p}`],
    cwd: appDir,
    env: { ...env, NODE_PATH: '' },
    port: p,
    path: '/api/v1/attendance/health',
    ready: (log) => (log.match(/Booting worker with pid/g) ?? []).length >= 2,
    timeoutMs: 60_000,
  }
}

function flaskServer(p, env) {
  return {
    name: 'gunicorn',
    command: gunicornCommand(),
    args: ['-w', '2', '-b', `127.0.0.1:${p}`, '--chdir', join(here, 'servers'), 'attendance_flask:app'],
    env,
    port: p,
    path: '/api/v1/attendance/health',
    ready: (log) => (log.match(/Booting worker with pid/g) ?? []).length >= 2,
    timeoutMs: 30_000,
  }
}

async function measureOnce({ database, spec }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'gu-bench-attendance-'))
  const db = database === 'postgresql' ? await freshDatabase() : undefined
  const env = { DATA_DIR: dataDir, DATABASE_URL: db ? db.url : '', REDIS_URL: '' }
  const server = await startServer(spec(port++, env))
  try {
    await seed(server.port)
    const url = `http://127.0.0.1:${server.port}`
    await runWrk(url, { seconds: Number(opt.warmup), connections, script })
    return await runWrk(url, { seconds, connections, script })
  } finally {
    await stopServer(server)
    rmSync(dataDir, { recursive: true, force: true })
    await db?.drop()
  }
}

/** The same 100 records on every side, through the API. */
async function seed(p) {
  for (let i = 0; i < 100; i++) {
    const id = `seed-${String(i).padStart(3, '0')}`
    const res = await fetch(`http://127.0.0.1:${p}/api/v1/attendance/create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', connection: 'close' },
      body: JSON.stringify({ id, name: `Employee ${i}`, status: i % 3 ? 'present' : 'absent', date: '2026-11-30' }),
    })
    if (res.status !== 200) throw new Error(`seeding ${id}: ${res.status} ${await res.text()}`)
  }
}

async function freshDatabase() {
  const name = `gu_bench_${process.pid}_${port}`
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL })
  await admin.connect()
  await admin.query(`DROP DATABASE IF EXISTS ${name}`)
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(process.env.DATABASE_URL)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: process.env.DATABASE_URL })
      await c.connect()
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await c.end()
    },
  }
}

function flaskAvailable() {
  try {
    checkGunicorn()
  } catch (error) {
    console.error(`${error.message} The Flask baseline is skipped.`)
    return false
  }
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import flask, psycopg2'], { encoding: 'utf8' })
  if (probe.status !== 0) {
    console.error('Flask or psycopg2 is missing for /usr/bin/python3 (apt-get install -y python3-flask python3-psycopg2): the Flask baseline is skipped.')
    return false
  }
  return true
}

function printTable(rows) {
  console.log(`mixed load: ${connections} connections, ${rounds} rounds of ${seconds} s per side, each on fresh data (medians), wrk -s bench/servers/attendance-mix.lua\n`)
  console.log('| database | server | req/s | p99 ms | × Flask + Gunicorn | non-2xx / socket errors |')
  console.log('| --- | --- | ---: | ---: | ---: | ---: |')
  for (const row of rows) {
    const base = rows.find((r) => r.database === row.database && r.label.startsWith('Flask'))
    const ratio = base ? `${(row.rps / base.rps).toFixed(2)}×` : '—'
    console.log(`| ${row.database} | ${row.label} | ${row.rps.toFixed(0)} | ${row.p99.toFixed(1)} | ${ratio} | ${row.errors} |`)
  }
}
