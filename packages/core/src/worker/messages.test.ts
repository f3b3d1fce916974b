import { describe, expect, it } from 'vitest'
import { isLivenessMessage, isWorkerMessage } from './messages.js'

describe('worker messages', () => {
  it('knows every message type and nothing else', () => {
    for (const type of ['booted', 'heartbeat', 'socket-copies', 'loaded-files', 'retiring']) expect(isWorkerMessage({ type })).toBe(true)
    for (const message of [{ type: 'metrics' }, { type: 1 }, null, 'heartbeat']) expect(isWorkerMessage(message)).toBe(false)
  })

  it('counts only booted and heartbeat as liveness', () => {
    expect(isLivenessMessage({ type: 'heartbeat' })).toBe(true)
    expect(isLivenessMessage({ type: 'booted' })).toBe(true)
    expect(isLivenessMessage({ type: 'loaded-files', files: [] })).toBe(false)
    expect(isLivenessMessage({ type: 'socket-copies', count: 1 })).toBe(false)
    expect(isLivenessMessage({ type: 'retiring' })).toBe(false)
  })
})
