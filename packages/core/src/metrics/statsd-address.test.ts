import { describe, expect, it } from 'vitest'
import { formatStatsdAddress, parseStatsdAddress } from './statsd-address.js'

describe('parseStatsdAddress', () => {
  it("reads Gunicorn's HOST:PORT and unix://PATH, and unix:PATH as --bind spells it", () => {
    expect(parseStatsdAddress('localhost:8125')).toEqual({ kind: 'udp', host: 'localhost', port: 8125 })
    expect(parseStatsdAddress('[::1]:8125')).toEqual({ kind: 'udp', host: '::1', port: 8125 })
    expect(parseStatsdAddress('unix:///var/run/datadog/dsd.socket')).toEqual({ kind: 'unix', path: '/var/run/datadog/dsd.socket' })
    expect(parseStatsdAddress('unix:/run/statsd.sock')).toEqual({ kind: 'unix', path: '/run/statsd.sock' })
    expect(formatStatsdAddress(parseStatsdAddress('unix:/run/statsd.sock'))).toBe('unix:///run/statsd.sock')
    expect(formatStatsdAddress(parseStatsdAddress('[::1]:8125'))).toBe('[::1]:8125')
  })

  it('refuses what is neither, saying what it takes', () => {
    expect(() => parseStatsdAddress('nowhere')).toThrow("'nowhere' is not HOST:PORT, [IPv6]:PORT or unix://PATH")
    expect(() => parseStatsdAddress('host:99999')).toThrow('is not HOST:PORT')
    expect(() => parseStatsdAddress('unix://relative.sock')).toThrow('needs an absolute path')
  })
})
