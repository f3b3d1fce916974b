import { describe, expect, it } from 'vitest'
import { maxHeaderSize, type RequestRules } from './request-rules.js'

const rules = (over: Partial<RequestRules> = {}): RequestRules => ({
  limitRequestLine: 4094, limitRequestFields: 100, limitRequestFieldSize: 8190, limitRequestBody: 0, headerMap: 'drop', ...over,
})

describe('maxHeaderSize', () => {
  it('fits the longest line and several fields at their largest', () => {
    expect(maxHeaderSize(rules())).toBeGreaterThan(4094 + 4 * 8192)
  })
  it('never goes below node:http default of 16 KiB', () => {
    expect(maxHeaderSize(rules({ limitRequestLine: 10, limitRequestFieldSize: 10 }))).toBe(16 * 1024)
  })
  it('is 1 MiB with no field limit, so an unlimited count is not cut by bytes first', () => {
    expect(maxHeaderSize(rules({ limitRequestFields: 0 }))).toBe(1024 * 1024)
  })
})
