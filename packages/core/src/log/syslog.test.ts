import { describe, expect, it } from 'vitest'
import { formatSyslogAddress, parseSyslogAddress } from './syslog-address.js'
import { syslogMessage, syslogTag } from './syslog-frame.js'

describe('parseSyslogAddress', () => {
  it.each([
    ['udp://localhost:514', { transport: 'udp', host: 'localhost', port: 514 }],
    ['udp://10.0.0.1', { transport: 'udp', host: '10.0.0.1', port: 514 }],
    ['tcp://logs.example:6514', { transport: 'tcp', host: 'logs.example', port: 6514 }],
    ['tcp://[::1]:1514', { transport: 'tcp', host: '::1', port: 1514 }],
    ['unix:///dev/log', { transport: 'unix-dgram', path: '/dev/log' }],
    ['unix:///run/syslog.sock#stream', { transport: 'unix-stream', path: '/run/syslog.sock' }],
  ])('reads %s', (text, address) => {
    expect(parseSyslogAddress(text)).toEqual(address)
    expect(parseSyslogAddress(formatSyslogAddress(parseSyslogAddress(text)))).toEqual(address)
  })

  it.each([
    ['localhost:514', /is not udp:\/\/HOST:PORT, tcp:\/\/HOST:PORT or unix:\/\/PATH/],
    ['udp://host:0', /the port must be 1-65535/],
    ['udp://host:99999', /the port must be 1-65535/],
    ['unix://dev/log', /absolute path/],
    ['unix:///dev/log#seqpacket', /dgram or stream, not 'seqpacket'/],
  ])('refuses %s', (text, message) => {
    expect(() => parseSyslogAddress(text)).toThrow(message)
  })
})

describe('syslogMessage', () => {
  const date = new Date(2026, 11, 1, 9, 5, 7, 123)

  it('writes RFC 3164: PRI, local time with a space-padded day, host, TAG[PID]', () => {
    const line = syslogMessage('rfc3164', 'local3', 'warning', 'gu.app.error', '[WARNING] hot', date)
    expect(line).toMatch(new RegExp(String.raw`^<156>Dec  1 09:05:07 \S+ gu\.app\.error\[${process.pid}\]: \[WARNING\] hot$`))
  })

  it('writes RFC 5424: version 1, UTC with milliseconds, APP-NAME PROCID, no MSGID or structured data', () => {
    const line = syslogMessage('rfc5424', 'user', 'critical', 'gu.app.access', 'body', date)
    expect(line).toBe(`<10>1 ${date.toISOString()} ${line.split(' ')[2]} gu.app.access ${process.pid} - - body`)
  })

  it.each([
    ['debug', 7],
    ['info', 6],
    ['warning', 4],
    ['error', 3],
    ['critical', 2],
  ] as const)('maps %s to severity %i', (level, severity) => {
    expect(syslogMessage('rfc5424', 'kern', level, 't', 'm', date)).toMatch(new RegExp(`^<${severity}>1 `))
  })

  it('makes a tag of anything: no spaces, colons or brackets, at most 48 characters', () => {
    expect(syslogTag('app.mjs:app')).toBe('app.mjs_app')
    expect(syslogTag('my app [x]')).toBe('my_app__x_')
    expect(syslogTag('x'.repeat(60))).toHaveLength(48)
  })
})
