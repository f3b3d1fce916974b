import { describe, expect, it } from 'vitest'
import { LineReader } from './protocol.js'

describe('LineReader', () => {
  it('returns whole lines as they complete, across chunks, skipping blank ones', () => {
    const reader = new LineReader(100)
    expect(reader.push('{"command":"sta')).toEqual([])
    expect(reader.push('tus"}\n\n{"command":"workers"}\n{"com')).toEqual(['{"command":"status"}', '{"command":"workers"}'])
    expect(reader.push('mand":"reload"}\n')).toEqual(['{"command":"reload"}'])
  })

  it('refuses a line that grows past the limit', () => {
    const reader = new LineReader(10)
    expect(() => reader.push('x'.repeat(11))).toThrow(/longer than 10 bytes/)
  })
})
