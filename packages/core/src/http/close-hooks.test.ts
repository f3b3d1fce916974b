import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { addCloseHook } from './close-hooks.js'

describe('addCloseHook', () => {
  it('runs every hook once, in the order added, from one close listener', () => {
    for (const count of [1, 2, 3, 5]) {
      const res = new EventEmitter()
      const ran: number[] = []
      for (let i = 0; i < count; i++) addCloseHook(res, (r) => ran.push(r === res ? i : -1))
      expect(res.listenerCount('close')).toBe(1)
      res.emit('close')
      expect(ran).toEqual(Array.from({ length: count }, (_, i) => i))
    }
  })

  it('keeps each response its own hooks', () => {
    const first = new EventEmitter()
    const second = new EventEmitter()
    const ran: string[] = []
    addCloseHook(first, () => ran.push('first'))
    addCloseHook(second, () => ran.push('second a'))
    addCloseHook(second, () => ran.push('second b'))
    first.emit('close')
    expect(ran).toEqual(['first'])
    second.emit('close')
    expect(ran).toEqual(['first', 'second a', 'second b'])
  })
})
