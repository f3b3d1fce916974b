import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadLogConfig, parseLogConfig } from './log-config-file.js'
import { resolveLogPlan } from './resolve-log-plan.js'
import { defaultSettings } from '../settings/catalog.js'

const dir = mkdtempSync(join(tmpdir(), 'gu-log-config-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function file(name: string, text: string): string {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

const AGREED = { error: { level: 'info', format: 'json', to: '-' }, access: { format: 'json', to: '-' } }

describe('parseLogConfig', () => {
  it('reads the agreed shape, a single destination becoming a list', () => {
    expect(parseLogConfig(AGREED)).toEqual({ error: { level: 'info', format: 'json', to: ['-'] }, access: { format: 'json', to: ['-'] } })
  })

  it('takes lists of destinations and an access template', () => {
    const config = parseLogConfig({ access: { to: ['stdout', '/var/log/a.log'], template: '%(h)s %(s)s' } })
    expect(config).toEqual({ access: { to: ['stdout', '/var/log/a.log'], template: '%(h)s %(s)s' } })
  })

  it.each([
    [{ errors: {} }, /unknown key 'errors'; known keys: error, access/],
    [{ error: { lvl: 'info' } }, /unknown key 'error\.lvl'/],
    [{ access: { level: 'info' } }, /unknown key 'access\.level'/],
    [{ error: { level: 'verbose' } }, /error\.level must be one of debug info warning error critical, not "verbose"/],
    [{ error: { format: 'xml' } }, /error\.format must be one of text json/],
    [{ access: { to: 3 } }, /access\.to must be "-", "stdout", "stderr", "syslog", a file path, or a list of those, not 3/],
    [{ syslog: { to: 'localhost' } }, /syslog\.to: 'localhost' is not udp:\/\/HOST:PORT/],
    [{ syslog: { facility: 'local9' } }, /syslog\.facility must be one of kern user/],
    [{ access: { to: [] } }, /access\.to must name at least one destination/],
    [{ access: { template: '%(zz)s' } }, /access\.template: unknown access log atom '%\(zz\)s'/],
    [{ error: 'info' }, /'error' must be an object/],
    [[], /the file must be an object/],
  ])('refuses %j naming the key', (raw, message) => {
    expect(() => parseLogConfig(raw)).toThrow(message)
  })
})

describe('loadLogConfig', () => {
  it('loads JSON, and JS whose default export is the same object', async () => {
    expect(await loadLogConfig(file('a.json', JSON.stringify(AGREED)))).toEqual(parseLogConfig(AGREED))
    expect(await loadLogConfig(file('b.mjs', `export default ${JSON.stringify(AGREED)}`))).toEqual(parseLogConfig(AGREED))
    expect(await loadLogConfig(file('c.cjs', `module.exports = ${JSON.stringify(AGREED)}`))).toEqual(parseLogConfig(AGREED))
  })

  it('says which file is wrong and why', async () => {
    const bad = file('bad.json', '{"error": {')
    await expect(loadLogConfig(bad)).rejects.toThrow(new RegExp(`^--log-config ${bad}: not valid JSON`))
    await expect(loadLogConfig(join(dir, 'missing.json'))).rejects.toThrow(/cannot read it \(ENOENT\)/)
    await expect(loadLogConfig(file('k.json', '{"access": {"fmt": "json"}}'))).rejects.toThrow(/k\.json: unknown key 'access\.fmt'/)
  })
})

describe('resolveLogPlan', () => {
  const settings = defaultSettings({})

  it('follows the flags without a log config: access off unless --access-logfile', async () => {
    expect(await resolveLogPlan(settings, dir)).toEqual({ error: { level: 'info', format: 'text', to: ['-'], syslog: null }, access: null })
    const plan = await resolveLogPlan({ ...settings, logFormat: 'json', accesslog: 'a.log', loglevel: 'debug' }, dir)
    expect(plan.error).toEqual({ level: 'debug', format: 'json', to: ['-'], syslog: null })
    expect(plan.access).toEqual({ format: 'json', to: [join(dir, 'a.log')], template: settings.accessLogFormat, syslog: null })
  })

  it('lets the file override the flags for what it sets, and only that', async () => {
    const config = file('o.json', JSON.stringify({ error: { level: 'warning' }, access: { format: 'text' } }))
    const plan = await resolveLogPlan({ ...settings, logConfig: config, loglevel: 'debug', logFormat: 'json', errorlog: 'e.log' }, dir)
    expect(plan.error).toEqual({ level: 'warning', format: 'json', to: [join(dir, 'e.log')], syslog: null })
    // An access section turns the access log on, to its standard stream unless it says where.
    expect(plan.access).toEqual({ format: 'text', to: ['-'], template: settings.accessLogFormat, syslog: null })
  })

  it("--log-syslog sends both logs to syslog as Gunicorn does, the access log there only without --access-logfile", async () => {
    const syslog = { address: { transport: 'udp', host: 'localhost', port: 514 }, facility: 'user', format: 'rfc3164', prefix: 'app.mjs.app' }
    const plan = await resolveLogPlan({ ...settings, syslog: true, app: 'app.mjs:app' }, dir)
    expect(plan.error).toMatchObject({ to: ['-'], syslog })
    expect(plan.access).toMatchObject({ to: [], syslog })
    const both = await resolveLogPlan({ ...settings, syslog: true, accesslog: '-', procName: 'web' }, dir)
    expect(both.access).toMatchObject({ to: ['-'], syslog: { prefix: 'web' } })
    const noAccess = await resolveLogPlan({ ...settings, syslog: true, disableRedirectAccessToSyslog: true }, dir)
    expect(noAccess.access).toBeNull()
  })

  it('lets a log config name syslog as a destination, and say where it is', async () => {
    const config = file('s.json', JSON.stringify({ error: { to: ['stderr', 'syslog'] }, syslog: { to: 'tcp://127.0.0.1:1514', format: 'rfc5424', prefix: 'svc' } }))
    const plan = await resolveLogPlan({ ...settings, logConfig: config, syslog: true }, dir)
    expect(plan.error).toMatchObject({ to: ['stderr'], syslog: { address: { transport: 'tcp', host: '127.0.0.1', port: 1514 }, format: 'rfc5424', prefix: 'svc' } })
    // The file set no access section: the access log stays as the flags say (syslog, from --log-syslog).
    expect(plan.access).toMatchObject({ to: [], syslog: { prefix: 'svc' } })
  })
})
