import { describe, expect, it } from 'vitest'
import { SETTINGS_BY_KEY } from './catalog.js'
import { coerce } from './coerce.js'
import { UsageError } from './errors.js'
import { parseArgv, splitCommandLine } from './parse-argv.js'
import { closest } from './suggest.js'

const spec = (key: string) => SETTINGS_BY_KEY.get(key)!

function errorOf(fn: () => unknown): Error {
  try {
    fn()
  } catch (error) {
    return error as Error
  }
  throw new Error('expected an error')
}

describe('parseArgv', () => {
  it('reads long flags with a separate value and with =', () => {
    expect(parseArgv(['--workers', '3', '--worker-class=async', '--timeout', '2.5']).values).toEqual({ workers: 3, workerClass: 'async', timeout: 2.5 })
  })

  it('turns a setting off with its off flag (--no-control-socket), refusing a value for it', () => {
    expect(parseArgv(['--control-socket', '/run/a.ctl', '--no-control-socket']).values).toEqual({ controlSocket: null })
    expect(parseArgv(['--no-control-socket', '--control-socket', 'b.ctl']).values).toEqual({ controlSocket: 'b.ctl' })
    expect(errorOf(() => parseArgv(['--no-control-socket=1'])).message).toMatch(/--no-control-socket takes no value/)
  })

  it('checks the new operator settings: socket mode, sizes and addresses', () => {
    expect(parseArgv(['--control-socket-mode', '660', '--max-worker-memory', '512M', '--metrics-bind', '127.0.0.1:9100', '--statsd-host', 'localhost:8125']).values)
      .toEqual({ controlSocketMode: '660', maxWorkerMemory: '512M', metricsBind: '127.0.0.1:9100', statsdHost: 'localhost:8125' })
    expect(errorOf(() => parseArgv(['--control-socket-mode', '999'])).message).toMatch(/not an octal file mode/)
    expect(errorOf(() => parseArgv(['--max-worker-memory', 'lots'])).message).toMatch(/not a size such as 512M/)
    expect(parseArgv(['--metrics-bind', 'unix:/tmp/m.sock', '--statsd-host', 'unix:///run/dsd.sock']).values)
      .toEqual({ metricsBind: 'unix:/tmp/m.sock', statsdHost: 'unix:///run/dsd.sock' })
    expect(errorOf(() => parseArgv(['--metrics-bind', 'fd://3'])).message).toMatch(/not HOST:PORT or unix:PATH/)
    expect(errorOf(() => parseArgv(['--statsd-host', 'nowhere'])).message).toMatch(/not HOST:PORT, \[IPv6\]:PORT or unix:\/\/PATH/)
  })

  it('reads short flags with a separate, attached and =-attached value', () => {
    expect(parseArgv(['-w', '4']).values).toEqual({ workers: 4 })
    expect(parseArgv(['-w4']).values).toEqual({ workers: 4 })
    expect(parseArgv(['-w=5']).values).toEqual({ workers: 5 })
    expect(parseArgv(['-kasync']).values).toEqual({ workerClass: 'async' })
  })

  it('keeps = inside a long value', () => {
    expect(parseArgv(['--env=A=b=c', '-e', 'X=1']).values).toEqual({ rawEnv: ['A=b=c', 'X=1'] })
  })

  it('collects a repeatable -b in order', () => {
    expect(parseArgv(['-b', '127.0.0.1:1', '--bind', 'unix:/tmp/a.sock', '-b[::1]:2', '--bind=fd://3']).values.bind).toEqual([
      '127.0.0.1:1',
      'unix:/tmp/a.sock',
      '[::1]:2',
      'fd://3',
    ])
    expect(() => parseArgv(['-b', 'unix:/tmp/a.sock', '--bind', '127.0.0.1:1', '--bind=unix:/tmp/a.sock'])).toThrow(
      "--bind: 'unix:/tmp/a.sock' is the same address as 'unix:/tmp/a.sock'; give each address once",
    )
  })

  it('reads bool flags bare or with =true/=false, without eating the next word', () => {
    expect(parseArgv(['--preload', 'app:app']).values).toEqual({ preloadApp: true, app: 'app:app' })
    expect(parseArgv(['--preload=false']).values).toEqual({ preloadApp: false })
    expect(parseArgv(['--check-config=true']).values).toEqual({ checkConfig: true })
    expect(() => parseArgv(['--preload=yes'])).toThrow(/--preload: expected true or false, got 'yes'/)
  })

  it('takes the positional APP_MODULE anywhere, and after --', () => {
    expect(parseArgv(['-w', '2', 'app.js:app', '--preload']).values).toEqual({ workers: 2, app: 'app.js:app', preloadApp: true })
    expect(parseArgv(['--', '-weird:app']).values).toEqual({ app: '-weird:app' })
    expect(() => parseArgv(['a:app', 'b:app'])).toThrow("one APP_MODULE expected, got 'a:app' and 'b:app'")
  })

  it('sets help and version', () => {
    expect(parseArgv(['-h'])).toMatchObject({ help: true, version: false })
    expect(parseArgv(['--help'])).toMatchObject({ help: true })
    expect(parseArgv(['-v'])).toMatchObject({ version: true, help: false })
    expect(parseArgv(['--version'])).toMatchObject({ version: true })
  })

  it('refuses an unknown flag and suggests the closest', () => {
    const error = errorOf(() => parseArgv(['--wokers', '4']))
    expect(error).toBeInstanceOf(UsageError)
    expect(error.message).toBe("unrecognized option '--wokers' — did you mean '--workers'?; see 'gu --help'")
    expect(errorOf(() => parseArgv(['--preloda'])).message).toContain("did you mean '--preload'?")
    expect(errorOf(() => parseArgv(['--worker-clas=async'])).message).toContain("did you mean '--worker-class'?")
    expect(errorOf(() => parseArgv(['--completely-unrelated-thing'])).message).toBe("unrecognized option '--completely-unrelated-thing'; see 'gu --help'")
  })

  it('refuses a flag with no value', () => {
    expect(errorOf(() => parseArgv(['app:app', '--workers'])).message).toBe('option --workers needs a value (INT)')
    expect(errorOf(() => parseArgv(['-b'])).message).toBe('option -b needs a value (ADDRESS)')
  })

  it('refuses a flag followed by another flag instead of its value', () => {
    expect(errorOf(() => parseArgv(['--name', '--preload'])).message).toBe('option --name needs a value (NAME)')
    expect(errorOf(() => parseArgv(['-b', '-w', '2'])).message).toBe('option -b needs a value (ADDRESS)')
  })

  it('names the flag and what is accepted for a bad value', () => {
    expect(errorOf(() => parseArgv(['-w', 'many'])).message).toBe("-w: expected a whole number ≥ 1, got 'many'")
    expect(errorOf(() => parseArgv(['--workers=0'])).message).toBe("--workers: expected a whole number ≥ 1, got '0'")
    expect(errorOf(() => parseArgv(['--workers', '1.5'])).message).toContain('--workers: expected a whole number')
    expect(errorOf(() => parseArgv(['--timeout', '-1'])).message).toBe("--timeout: expected a number ≥ 0, got '-1'")
    expect(errorOf(() => parseArgv(['--log-level', 'loud'])).message).toBe("--log-level: expected one of debug, info, warning, error, critical, got 'loud'")
    expect(errorOf(() => parseArgv(['--app-interface', 'wsgi'])).message).toContain('expected one of auto, node, fetch')
    expect(errorOf(() => parseArgv(['-b', 'unix:'])).message).toMatch(/^-b: 'unix:' is not a valid address .*unix:PATH/)
    expect(errorOf(() => parseArgv(['-e', 'NOEQUALS'])).message).toBe("-e: 'NOEQUALS' is not KEY=VALUE")
    expect(errorOf(() => parseArgv(['--access-logformat', '%(zz)s'])).message).toContain("unknown access log atom '%(zz)s'")
  })

  it('names GU_CMD_ARGS as the source of an error from there', () => {
    expect(errorOf(() => parseArgv(['--wokers', '2'], 'GU_CMD_ARGS')).message).toMatch(/'--workers'.*\(in GU_CMD_ARGS\)$/)
  })
})

describe('splitCommandLine', () => {
  it('splits plain words on any whitespace', () => {
    expect(splitCommandLine('  -w 3\t--preload\n-b  127.0.0.1:1 ')).toEqual(['-w', '3', '--preload', '-b', '127.0.0.1:1'])
    expect(splitCommandLine('')).toEqual([])
  })

  it('keeps quoted strings whole and unquotes them', () => {
    expect(splitCommandLine(`--name "my app" -n 'single quoted'`)).toEqual(['--name', 'my app', '-n', 'single quoted'])
    expect(splitCommandLine(String.raw`--name "say \"hi\""`)).toEqual(['--name', 'say "hi"'])
    expect(splitCommandLine(`--name ""`)).toEqual(['--name', ''])
  })

  it('joins quotes inside a word, as a shell does', () => {
    expect(splitCommandLine(`--name="my app" -w2`)).toEqual(['--name=my app', '-w2'])
    expect(splitCommandLine(`--access-logformat='%(h)s "%(r)s"'`)).toEqual(['--access-logformat=%(h)s "%(r)s"'])
    expect(splitCommandLine(`a"b c"d`)).toEqual(['ab cd'])
  })
})

describe('closest', () => {
  it('suggests the nearest candidate within a typo', () => {
    expect(closest('--wokers', ['--workers', '--bind', '--timeout'])).toBe('--workers')
    expect(closest('wrkers', ['workers', 'timeout'])).toBe('workers')
    expect(closest('maxRequest', ['maxRequests', 'maxRequestsJitter'])).toBe('maxRequests')
  })

  it('suggests nothing for something unrelated', () => {
    expect(closest('--frobnicate', ['--workers', '--bind'])).toBeUndefined()
    expect(closest('x', [])).toBeUndefined()
  })
})

describe('coerce', () => {
  it('reads ints and numbers from strings and numbers, with their minimum', () => {
    expect(coerce(spec('workers'), '3')).toBe(3)
    expect(coerce(spec('workers'), 3)).toBe(3)
    expect(coerce(spec('timeout'), '0.5')).toBe(0.5)
    expect(() => coerce(spec('workers'), 0)).toThrow('expected a whole number ≥ 1, got 0')
    expect(() => coerce(spec('workers'), '')).toThrow("expected a whole number ≥ 1, got ''")
    expect(() => coerce(spec('workers'), '  ')).toThrow('expected a whole number')
    expect(() => coerce(spec('workers'), 2.5)).toThrow('expected a whole number')
    expect(() => coerce(spec('timeout'), 'Infinity')).toThrow('expected a number')
    expect(() => coerce(spec('timeout'), true)).toThrow('expected a number ≥ 0, got true')
  })

  it('reads bools', () => {
    expect(coerce(spec('preloadApp'), true)).toBe(true)
    expect(coerce(spec('preloadApp'), 'false')).toBe(false)
    expect(() => coerce(spec('preloadApp'), 1)).toThrow('expected true or false, got 1')
  })

  it('reads strings, choices, lists and null for nullable settings', () => {
    expect(coerce(spec('workerClass'), 'async')).toBe('async')
    expect(() => coerce(spec('workerClass'), 3)).toThrow('expected a string, got 3')
    expect(coerce(spec('loglevel'), 'debug')).toBe('debug')
    expect(() => coerce(spec('loglevel'), 'DEBUG')).toThrow("expected one of debug, info, warning, error, critical, got 'DEBUG'")
    expect(coerce(spec('bind'), '127.0.0.1:1')).toEqual(['127.0.0.1:1'])
    expect(coerce(spec('bind'), ['127.0.0.1:1', 'unix:/a'])).toEqual(['127.0.0.1:1', 'unix:/a'])
    expect(() => coerce(spec('bind'), [1])).toThrow('expected strings, got [1]')
    expect(() => coerce(spec('bind'), [])).toThrow('at least one address is needed')
    expect(() => coerce(spec('bind'), ['nope:x'])).toThrow("'nope:x' is not a valid address")
    expect(() => coerce(spec('bind'), ['127.0.0.1:8000', 'unix:/a', '127.0.0.1:8000'])).toThrow(
      "'127.0.0.1:8000' is the same address as '127.0.0.1:8000'; give each address once",
    )
    expect(() => coerce(spec('bind'), [':8080', '0.0.0.0:8080'])).toThrow("'0.0.0.0:8080' is the same address as ':8080'")
    expect(() => coerce(spec('bind'), ['unix:/a', 'unix:/a'])).toThrow('the same address')
    // Port 0 asks the kernel for a fresh port each time.
    expect(coerce(spec('bind'), ['127.0.0.1:0', '127.0.0.1:0'])).toEqual(['127.0.0.1:0', '127.0.0.1:0'])
    expect(coerce(spec('pidfile'), null)).toBeNull()
    expect(() => coerce(spec('workerClass'), null)).toThrow('expected a string, got null')
  })
})
