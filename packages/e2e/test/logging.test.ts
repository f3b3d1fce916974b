import { existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, renameSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { Gu, PID_APP, asyncArgs, cleanupApps, killAll, makeApp, request, runGu, sleep } from '../src/harness.js'
import { readLines, waitUntil } from '../src/process-helpers.js'

afterEach(killAll)
afterAll(cleanupApps)

describe('access log', () => {
  it("writes Gunicorn's default format to stdout with --access-logfile -", async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const gu = new Gu(asyncArgs('app.mjs:app', '--access-logfile', '-'), { cwd: dir })
    const [worker] = await gu.waitForWorkers(1)
    const url = await gu.url()
    const res = await request(`${url}/hello?x=1`, { headers: { 'user-agent': 'e2e-agent/1.0', referer: 'http://ref.example/' } })
    const body = String(worker)
    expect(res.body).toBe(body)
    const line = await waitUntil('the access log line', () => gu.stdout.split('\n').find((l) => l.includes('/hello?x=1')))
    expect(line).toMatch(
      new RegExp(
        String.raw`^127\.0\.0\.1 - - \[\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "GET /hello\?x=1 HTTP/1\.1" 200 ${body.length} "http://ref\.example/" "e2e-agent/1\.0"$`,
      ),
    )
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })

  it('uses --access-logformat with custom atoms', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const format = 'ATOMS m=%(m)s U=%(U)s q=%(q)s s=%(s)s H=%(H)s id=%({x-request-id}i)s ct=%({content-type}o)s p=%(p)s'
    const gu = new Gu(asyncArgs('app.mjs:app', '--access-logfile', '-', '--access-logformat', format), { cwd: dir })
    const [worker] = await gu.waitForWorkers(1)
    await request(`${await gu.url()}/path/x?a=b`, { method: 'POST', headers: { 'x-request-id': 'abc-123' }, body: 'hi' })
    const line = await waitUntil('the access log line', () => gu.stdout.split('\n').find((l) => l.startsWith('ATOMS ')))
    expect(line).toBe(`ATOMS m=POST U=/path/x q=a=b s=200 H=HTTP/1.1 id=abc-123 ct=text/plain p=<${worker}>`)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })

  it("shows the Content-Length node:http wrote itself as {content-length}o (res.end(body) with no head set)", async () => {
    const app = `export function app(req, res) {
  if (req.url === '/set') res.setHeader('content-length', '3')
  if (req.url === '/head-first') res.writeHead(200, { 'x-kind': 'head' })
  res.end('abc')
}
`
    const dir = makeApp({ 'app.mjs': app })
    const gu = new Gu(asyncArgs('app.mjs:app', '--access-logfile', '-', '--access-logformat', 'LEN %(U)s %({content-length}o)s'), { cwd: dir })
    const url = await gu.url()
    for (const path of ['/implicit', '/set', '/head-first']) await request(url + path)
    await waitUntil('the access log lines', () => gu.stdout.includes('LEN /head-first'))
    // With a head written first, node frames the body as chunked: no length to show.
    expect(gu.stdout).toMatch(/LEN \/implicit 3\n[^]*LEN \/set 3\n[^]*LEN \/head-first -\n/)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })
})

/** Every non-empty line of `text`, each parsed as JSON (a line that isn't fails the test). */
function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>
      } catch {
        throw new Error(`not a JSON line: ${line}`)
      }
    })
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

describe('error log', () => {
  it("writes Gunicorn's text format: [%Y-%m-%d %H:%M:%S %z] [pid] [LEVEL] message", async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const gu = new Gu(asyncArgs('app.mjs:app'), { cwd: dir })
    const [worker] = await gu.waitForWorkers(1)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
    const lines = gu.stderr.split('\n').filter(Boolean)
    for (const line of lines) expect(line).toMatch(/^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-]\d{4}\] \[\d+\] \[(DEBUG|INFO|WARNING|ERROR|CRITICAL)\] \S/)
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^\\[[^\\]]+\\] \\[${gu.pid}\\] \\[INFO\\] Starting gu \\S+$`)))
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^\\[[^\\]]+\\] \\[${worker}\\] \\[INFO\\] Booting worker with pid: ${worker}$`)))
  })
})

describe('JSON lines', () => {
  async function servedWithJson(args: string[], files: Record<string, string> = {}) {
    const dir = makeApp({ 'app.mjs': PID_APP, ...files })
    const gu = new Gu(asyncArgs('app.mjs:app', ...args), { cwd: dir })
    const [worker] = await gu.waitForWorkers(1)
    const url = await gu.url()
    await request(`${url}/json/path?q=1`, { headers: { 'user-agent': 'e2e "quoted"\tagent', 'x-request-id': 'rid-7' } })
    await waitUntil('the access line', () => gu.stdout.includes('/json/path'))
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
    return { gu, worker: worker! }
  }

  function checkErrorLines(gu: Gu, worker: number): void {
    const lines = jsonLines(gu.stderr)
    for (const line of lines) {
      expect(line).toEqual({ time: expect.stringMatching(ISO), level: expect.stringMatching(/^(debug|info|warning|error|critical)$/), pid: expect.any(Number), message: expect.any(String) })
    }
    expect(lines).toContainEqual(expect.objectContaining({ level: 'info', pid: gu.pid, message: expect.stringMatching(/^Starting gu /) }))
    expect(lines).toContainEqual(expect.objectContaining({ level: 'info', pid: worker, message: `Booting worker with pid: ${worker}` }))
  }

  function checkAccessLine(gu: Gu, worker: number): Record<string, unknown> {
    const [line, ...rest] = jsonLines(gu.stdout)
    expect(rest).toEqual([])
    expect(line).toMatchObject({
      time: expect.stringMatching(ISO),
      level: 'info',
      remote_addr: '127.0.0.1',
      method: 'GET',
      request: 'GET /json/path?q=1 HTTP/1.1',
      status: 200,
      path: '/json/path',
      query: 'q=1',
      protocol: 'HTTP/1.1',
      scheme: 'http',
      bytes: String(worker).length,
      user: null,
      referer: null,
      user_agent: 'e2e "quoted"\tagent',
      request_start: expect.stringMatching(ISO),
      duration: expect.any(Number),
      duration_us: expect.any(Number),
      pid: worker,
    })
    return line!
  }

  it('--log-format json writes both logs as JSON lines, every access atom a field', async () => {
    const { gu, worker } = await servedWithJson(['--log-format', 'json', '--access-logfile', '-'])
    checkErrorLines(gu, worker)
    const line = checkAccessLine(gu, worker)
    // The message is the text line, escaped as in the text log.
    expect(line.message).toMatch(/^127\.0\.0\.1 - - \[[^\]]+\] "GET \/json\/path\?q=1 HTTP\/1\.1" 200 \d+ "-" "e2e \\"quoted\\"\\x09agent"$/)
  })

  it('--log-config sets both logs in the agreed shape, with the template and its headers', async () => {
    const config = { error: { level: 'info', format: 'json', to: '-' }, access: { format: 'json', to: '-', template: '%(r)s %(s)s %({x-request-id}i)s %({content-type}o)s' } }
    const { gu, worker } = await servedWithJson(['--log-config', 'log.json'], { 'log.json': JSON.stringify(config) })
    checkErrorLines(gu, worker)
    const line = checkAccessLine(gu, worker)
    expect(line).toMatchObject({ message: 'GET /json/path?q=1 HTTP/1.1 200 rid-7 text/plain', request_headers: { 'x-request-id': 'rid-7' }, response_headers: { 'content-type': 'text/plain' } })
  })

  it('--log-config from a JS module: its level overrides --log-level, its files and lists of destinations', async () => {
    const dir = makeApp({
      'app.mjs': PID_APP,
      'log.mjs': `export default { error: { level: 'warning', to: 'logs/error.log' }, access: { to: ['logs/access.log', 'stdout'] } }`,
    })
    mkdirSync(join(dir, 'logs'))
    const socket = join(dir, 's.sock')
    const gu = new Gu(['app.mjs:app', '-k', 'async', '-b', `unix:${socket}`, '--log-config', 'log.mjs', '--log-level', 'debug'], { cwd: dir })
    await waitUntil('a worker', () => gu.workerPids().length === 1)
    await waitUntil('the socket to answer', () => request('http://x/from-js', { socketPath: socket }).then(() => true, () => false))
    await waitUntil('the access line in the file', () => readLines(join(dir, 'logs', 'access.log')).some((l) => l.includes('/from-js')))
    await waitUntil('the access line on stdout', () => gu.stdout.includes('/from-js'))
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
    // The file's 'warning' beats --log-level debug: no info line anywhere, and nothing on stderr.
    expect(readLines(join(dir, 'logs', 'error.log')).filter((l) => l.includes('[INFO]') || l.includes('[DEBUG]'))).toEqual([])
    expect(gu.stderr).toBe('')
    expect(readLines(join(dir, 'logs', 'access.log'))[0]).toMatch(/^- - - \[[^\]]+\] "GET \/from-js HTTP\/1\.1" 200 /)
  })

  it('refuses a log config with an unknown key or a bad value, naming the key, before serving', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP, 'bad.json': '{"error": {"level": "loud"}}', 'typo.json': '{"acess": {}}' })
    const bad = await runGu(asyncArgs('app.mjs:app', '--log-config', 'bad.json'), { cwd: dir })
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/^gu: error: --log-config \S+bad\.json: error\.level must be one of debug info warning error critical, not "loud"\n$/)
    const typo = await runGu(asyncArgs('app.mjs:app', '--log-config', 'typo.json'), { cwd: dir })
    expect(typo.code).toBe(1)
    expect(typo.stderr).toMatch(/unknown key 'acess'; known keys: error, access/)
  })

  it('refuses a log file it cannot open, with the reason', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const result = await runGu(asyncArgs('app.mjs:app', '--access-logfile', join(dir, 'no-such-dir', 'access.log')), { cwd: dir })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^gu: error: access log: cannot open \S+no-such-dir\/access\.log for writing \(ENOENT\)\n$/)
  })
})

describe('USR1', () => {
  it('reopens the access log file after it was renamed', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const logfile = join(dir, 'access.log')
    const rotated = join(dir, 'access.log.1')
    const gu = new Gu(asyncArgs('app.mjs:app', '-w', '2', '--access-logfile', logfile), { cwd: dir })
    await gu.waitForWorkers(2)
    const url = await gu.url()
    await request(`${url}/before`)
    await waitUntil('the first line', () => readLines(logfile).some((l) => l.includes('/before')))
    renameSync(logfile, rotated)

    gu.signal('SIGUSR1')
    // Each worker reopens when the arbiter forwards USR1; ask until the new file has the line.
    await waitUntil(
      'a new access.log with the new line',
      async () => {
        await request(`${url}/after`)
        return readLines(logfile).some((l) => l.includes('/after'))
      },
      5000,
      100,
    )
    expect(existsSync(logfile)).toBe(true)
    expect(readFileSync(rotated, 'utf8')).toContain('/before')
    expect(readLines(logfile).some((l) => l.includes('/before'))).toBe(false)
    // Both workers reopened: once they have, no request lands in the rotated file any more.
    const rotatedLines = readLines(rotated).length
    for (let i = 0; i < 10; i++) await request(`${url}/slow?ms=5`)
    await waitUntil('the later lines', () => readLines(logfile).filter((l) => l.includes('/slow')).length === 10, 3000)
    expect(readLines(rotated).length).toBe(rotatedLines)
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })
})

/** An app that prints a line for every request, on stdout, and on stderr for /err. */
const PRINTING_APP = `
console.log('app loaded')
export function app(req, res) {
  if (req.url.startsWith('/err')) console.error('failed ' + req.url)
  else console.log('served ' + req.url)
  res.end(String(process.pid))
}
`

describe('--capture-output', () => {
  it("sends the app's stdout and stderr to the error log, as JSON lines with --log-format json", async () => {
    const dir = makeApp({ 'app.mjs': PRINTING_APP })
    const gu = new Gu(asyncArgs('app.mjs:app', '--capture-output', '--log-format', 'json', '--log-level', 'warning', '--access-logfile', '-'), { cwd: dir })
    const socketUrl = await waitUntil('a worker', async () => gu.workerPids().length === 1)
    expect(socketUrl).toBe(true)
    const worker = gu.workerPids()[0]!
    // At warning, 'Listening at' is not logged: find the port from the process instead.
    const port = await waitUntil('the port', () => listeningPort(gu.pid))
    await request(`http://127.0.0.1:${port}/ok`)
    await request(`http://127.0.0.1:${port}/err`)
    await waitUntil('both lines', () => gu.stderr.includes('failed /err'))
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
    const lines = jsonLines(gu.stderr)
    expect(lines).toContainEqual({ time: expect.stringMatching(ISO), level: 'info', pid: worker, message: 'app loaded' })
    expect(lines).toContainEqual({ time: expect.stringMatching(ISO), level: 'info', pid: worker, message: 'served /ok' })
    expect(lines).toContainEqual({ time: expect.stringMatching(ISO), level: 'error', pid: worker, message: 'failed /err' })
    // stdout keeps only the access log: JSON lines, none of the app's output.
    expect(jsonLines(gu.stdout).map((l) => l.path)).toEqual(['/ok', '/err'])
  })

  it('leaves the output alone without it', async () => {
    const dir = makeApp({ 'app.mjs': PRINTING_APP })
    const gu = new Gu(asyncArgs('app.mjs:app'), { cwd: dir })
    await gu.waitForWorkers(1)
    await request(`${await gu.url()}/plain`)
    await waitUntil('the app line', () => gu.stdout.includes('served /plain\n'))
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
    expect(gu.stderr).not.toContain('served /plain')
  })
})

/** The TCP port an arbiter listens on, from /proc (for runs whose log level hides 'Listening at'). */
function listeningPort(pid: number): number | undefined {
  const inodes = new Set<string>()
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`)
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1]
      if (inode) inodes.add(inode)
    } catch {
      // closed meanwhile
    }
  }
  for (const row of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const cols = row.trim().split(/\s+/)
    if (cols[3] === '0A' && inodes.has(cols[9]!)) return parseInt(cols[1]!.split(':')[1]!, 16)
  }
  return undefined
}

describe('USR1 under load', () => {
  it('reopens the error and access logs in the arbiter and every worker after logrotate moved them, losing no line', async () => {
    const dir = makeApp({ 'app.mjs': PRINTING_APP })
    const access = join(dir, 'access.log')
    const error = join(dir, 'error.log')
    const gu = new Gu(asyncArgs('app.mjs:app', '-w', '2', '--access-logfile', access, '--error-logfile', error, '--capture-output'), { cwd: dir })
    await waitUntil('two booted workers', () => (readLines(error).filter((l) => l.includes('Booting worker')).length === 2 ? true : undefined), 15_000)
    const url = await waitUntil('the address', () => /Listening at: (http:\S+) /.exec(readFileSync(error, 'utf8'))?.[1])

    // Eight clients, keep-alive, each asking for the next number until told to stop.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 })
    let next = 0
    let stop = false
    const served: number[] = []
    const clients = Array.from({ length: 8 }, async () => {
      while (!stop) {
        const id = next++
        const res = await request(`${url}/r/${id}`, { agent })
        expect(res.status).toBe(200)
        served.push(id)
      }
    })
    await sleep(600)
    renameSync(access, `${access}.1`)
    renameSync(error, `${error}.1`)
    gu.signal('SIGUSR1')
    await sleep(900)
    stop = true
    await Promise.all(clients)
    agent.destroy()
    const arbiterLine = 'Number of workers: 3 (was 2)'
    gu.signal('SIGTTIN')
    await waitUntil('the arbiter writing to the new file', () => readLines(error).some((l) => l.includes(arbiterLine)))
    expect(await gu.stop()).toEqual({ code: 0, signal: null })

    const ids = (lines: string[], pattern: RegExp) => lines.map((l) => pattern.exec(l)?.[1]).filter((id) => id !== undefined).map(Number)
    const sorted = (list: number[]) => [...list].sort((a, b) => a - b)
    const accessIds = [...ids(readLines(`${access}.1`), /"GET \/r\/(\d+) /), ...ids(readLines(access), /"GET \/r\/(\d+) /)]
    const printedIds = [...ids(readLines(`${error}.1`), /served \/r\/(\d+)$/), ...ids(readLines(error), /served \/r\/(\d+)$/)]
    expect(served.length).toBeGreaterThan(200)
    // Every request answered has exactly one access line and one captured line, across both files.
    expect(sorted(accessIds)).toEqual(sorted(served))
    expect(sorted(printedIds)).toEqual(sorted(served))
    // Both workers moved to the new files (each wrote lines there), and so did the arbiter.
    const workersIn = (file: string) => new Set(readLines(file).filter((l) => l.includes('served /r/')).map((l) => /^\[[^\]]+\] \[(\d+)\]/.exec(l)![1]))
    expect(workersIn(error).size).toBe(2)
    expect(new Set(readLines(access).map((l) => l.match(/\/r\/\d+/)?.[0])).size).toBeGreaterThan(1)
    expect(readLines(`${error}.1`).some((l) => l.endsWith(`[${gu.pid}] [INFO] Handling signal: usr1`))).toBe(true)
    expect(readLines(error).some((l) => l.endsWith(`[${gu.pid}] [INFO] ${arbiterLine}`))).toBe(true)
  })
})

describe('bad log input never takes the server down', () => {
  it('keeps writing to the old file when USR1 cannot open the new one, and says why once', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    mkdirSync(join(dir, 'logs'))
    const gu = new Gu(asyncArgs('app.mjs:app', '--access-logfile', join(dir, 'logs', 'access.log')), { cwd: dir })
    await gu.waitForWorkers(1)
    const url = await gu.url()
    // The whole directory goes: the reopen has nowhere to create the file.
    renameSync(join(dir, 'logs'), join(dir, 'old-logs'))
    gu.signal('SIGUSR1')
    await waitUntil('the complaint', () => gu.stderr.includes(`gu: cannot write the log to ${join(dir, 'logs', 'access.log')}: ENOENT`))
    for (let i = 0; i < 5; i++) expect((await request(`${url}/after-${i}`)).status).toBe(200)
    await waitUntil('the lines in the old file', () => readLines(join(dir, 'old-logs', 'access.log')).filter((l) => l.includes('/after-')).length === 5)
    // Once back, the next USR1 moves to the new file.
    mkdirSync(join(dir, 'logs'))
    gu.signal('SIGUSR1')
    await waitUntil('the new file', async () => {
      await request(`${url}/back`)
      return readLines(join(dir, 'logs', 'access.log')).some((l) => l.includes('/back'))
    })
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
    expect(gu.stderr.split('\n').filter((l) => l.startsWith('gu: cannot write the log'))).toHaveLength(1)
  })

  it('HUP reads the log config again: a change applies to the new workers, a broken one keeps the old workers serving', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP, 'log.json': JSON.stringify({ access: { format: 'text' } }) })
    const gu = new Gu(asyncArgs('app.mjs:app', '--log-config', 'log.json'), { cwd: dir })
    const [first] = await gu.waitForWorkers(1)
    const url = await gu.url()
    await request(`${url}/text`)
    await waitUntil('the text line', () => gu.stdout.includes('"GET /text HTTP/1.1"'))

    writeFileSync(join(dir, 'log.json'), '{"access": {"format": "yaml"}}')
    gu.signal('SIGHUP')
    await gu.waitFor(/Reload failed; the current workers keep serving: --log-config \S+log\.json: access\.format must be one of text json, not "yaml"/)
    expect(gu.workerPids()).toEqual([first])
    expect((await request(`${url}/still`)).status).toBe(200)

    writeFileSync(join(dir, 'log.json'), JSON.stringify({ access: { format: 'json' } }))
    gu.signal('SIGHUP')
    await waitUntil('a new worker', () => gu.workerPids().length === 1 && gu.workerPids()[0] !== first)
    await waitUntil('a JSON line from the new worker', async () => {
      await request(`${url}/json`)
      return gu.stdout.split('\n').some((l) => l.startsWith('{') && (JSON.parse(l) as { path?: string }).path === '/json')
    })
    expect(await gu.stop()).toEqual({ code: 0, signal: null })
  })

  it('--check-config reports a broken log config', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP, 'log.json': '{"error": {"to": []}}' })
    const result = await runGu(['app.mjs:app', '--check-config', '--log-config', 'log.json'], { cwd: dir })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/error\.to must name at least one destination/)
  })
})
