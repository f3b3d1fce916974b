import { describe, expect, it } from 'vitest'
import { ArbiterEvents } from './arbiter-events.js'

describe('ArbiterEvents', () => {
  it('delivers events to listeners', () => {
    const events = new ArbiterEvents()
    const exits: number[] = []
    events.on('worker-exit', (exit) => exits.push(exit.pid))
    events.emit('worker-exit', { pid: 42, age: 1, reason: 'crash', code: 1, signal: null })
    expect(exits).toEqual([42])
  })

  it('hands a listener that throws to onListenerError instead of throwing into the arbiter', () => {
    const events = new ArbiterEvents()
    const caught: unknown[] = []
    events.onListenerError = (error) => caught.push(error)
    events.on('stopping', () => {
      throw new Error('broken module')
    })
    expect(() => events.emit('stopping')).not.toThrow()
    expect((caught[0] as Error).message).toBe('broken module')
  })
})
