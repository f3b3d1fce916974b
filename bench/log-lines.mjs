#!/usr/bin/env node
// The access log's cost per line, in one process: gu's AccessLog (text and JSON lines, through
// sonic-boom), the path it replaced (the same formatter into an fs.WriteStream), and pino writing
// the same JSON fields through its own sonic-boom destination. Each writes N lines to a file in a
// temp dir; reported: event-loop time per line (formatting and queueing, what a request pays)
// and process CPU per line once everything is on disk (including the writes in libuv's pool).
// usage: node bench/log-lines.mjs [--lines 200000] [--rounds 5]
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

const here = dirname(fileURLToPath(import.meta.url))
const { values: opt } = parseArgs({ options: { lines: { type: 'string', default: '200000' }, rounds: { type: 'string', default: '5' } } })
const LINES = Number(opt.lines)
const ROUNDS = Number(opt.rounds)

// gu's own modules, from source through tsx (a dependency of @gu/core), so nothing is exported for this.
const coreRequire = createRequire(join(here, '../packages/core/package.json'))
const { tsImport } = await import(pathToFileURL(coreRequire.resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href)
const load = (file) => tsImport(join(here, '../packages/core/src', file), import.meta.url)
const { AccessLog } = await load('log/access-log.ts')
const { compileAccessFormat } = await load('log/access-format.ts')
const pino = (await import('pino')).default

const TEMPLATE = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"'
const headers = { 'user-agent': 'wrk/4.1.0', referer: 'http://example.com/', host: '127.0.0.1:8000' }
const entry = (i) => ({
  remoteAddress: '127.0.0.1',
  method: 'GET',
  url: `/items/${i}?page=2`,
  httpVersion: '1.1',
  status: 200,
  responseBytes: 13,
  requestHeaders: headers,
  responseHeader: () => undefined,
  start: new Date(),
  durationMicros: 812.5,
})

/** Resolves once `stream` (a WriteStream or sonic-boom) has written everything and closed. */
const ended = (stream) => new Promise((resolve) => stream.once('close', resolve))

const SIDES = {
  'gu text (sonic-boom)': async (file) => {
    const log = new AccessLog({ format: 'text', to: [file], template: TEMPLATE, syslog: null })
    return { write: (e) => log.write(e), done: () => log.flush() }
  },
  'before: text into fs.WriteStream': async (file) => {
    const format = compileAccessFormat(TEMPLATE)
    const stream = createWriteStream(file, { flags: 'a' })
    return { write: (e) => stream.write(`${format(e)}\n`), done: () => (stream.end(), ended(stream)) }
  },
  'gu json (sonic-boom)': async (file) => {
    const log = new AccessLog({ format: 'json', to: [file], template: TEMPLATE, syslog: null })
    return { write: (e) => log.write(e), done: () => log.flush() }
  },
  'pino json (pino.destination)': async (file) => {
    const format = compileAccessFormat(TEMPLATE)
    const destination = pino.destination({ dest: file, sync: false })
    const logger = pino({ base: { pid: process.pid }, messageKey: 'message', timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } }, destination)
    return {
      write: (e) => {
        const [path, query] = e.url.split('?')
        logger.info(
          {
            remote_addr: e.remoteAddress, method: e.method, request: `${e.method} ${e.url} HTTP/${e.httpVersion}`, status: e.status, path, query: query ?? null,
            protocol: `HTTP/${e.httpVersion}`, bytes: e.responseBytes, user: null, referer: e.requestHeaders.referer ?? null, user_agent: e.requestHeaders['user-agent'] ?? null,
            request_start: e.start.toISOString(), duration: e.durationMicros / 1e6, duration_s: 0, duration_ms: 0, duration_us: Math.round(e.durationMicros),
          },
          format(e),
        )
      },
      done: () => (destination.end(), ended(destination)),
    }
  },
}

const dir = mkdtempSync(join(tmpdir(), 'gu-log-lines-'))
const results = new Map(Object.keys(SIDES).map((name) => [name, { loop: [], cpu: [], bytes: 0 }]))
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, make] of Object.entries(SIDES)) {
      const file = join(dir, `${round}-${name.replace(/\W+/g, '-')}.log`)
      const side = await make(file)
      const cpu0 = process.cpuUsage()
      const t0 = process.hrtime.bigint()
      // In batches of 100, yielding between them, as requests arrive between turns of the loop.
      for (let i = 0; i < LINES; i += 100) {
        for (let j = i; j < i + 100; j++) side.write(entry(j))
        await new Promise(setImmediate)
      }
      const loopNs = Number(process.hrtime.bigint() - t0)
      await side.done()
      const cpu = process.cpuUsage(cpu0)
      const r = results.get(name)
      r.loop.push(loopNs / LINES)
      r.cpu.push(((cpu.user + cpu.system) * 1000) / LINES)
      r.bytes = statSync(file).size / LINES
      r.lines = readFileSync(file, 'utf8').split('\n').length - 1
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
console.log(`| ${LINES} lines × ${ROUNDS} rounds | loop ns/line (median) | CPU ns/line (median) | bytes/line | lines in the file (last round) |`)
console.log('|---|---:|---:|---:|---:|')
for (const [name, r] of results) console.log(`| ${name} | ${median(r.loop).toFixed(0)} | ${median(r.cpu).toFixed(0)} | ${r.bytes.toFixed(0)} | ${r.lines} |`)
