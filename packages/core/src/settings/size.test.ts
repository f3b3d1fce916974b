import { describe, expect, it } from 'vitest'
import { formatSize, parseSize } from './size.js'

describe('parseSize', () => {
  it('reads bytes and K, M, G (powers of 1024), with or without B, any case', () => {
    expect(parseSize('300000000')).toBe(300_000_000)
    expect(parseSize('512M')).toBe(512 * 1024 ** 2)
    expect(parseSize('1.5G')).toBe(1.5 * 1024 ** 3)
    expect(parseSize('64kb')).toBe(64 * 1024)
    expect(parseSize(' 2 GB ')).toBe(2 * 1024 ** 3)
  })

  it('refuses what is not a positive size', () => {
    for (const bad of ['', 'lots', '12T', '-5M', '0', 'M', '1.2.3M']) expect(parseSize(bad), bad).toBeUndefined()
  })
})

describe('formatSize', () => {
  it('says MB or GB with a decimal, as the memory guard logs it', () => {
    expect(formatSize(612.4 * 1024 ** 2)).toBe('612.4 MB')
    expect(formatSize(3 * 1024 ** 3)).toBe('3.00 GB')
  })
})
