import { describe, expect, it } from 'vitest'
import { OpenConnections } from './open-connections.js'

const item = (name: string) => ({ name, slot: -1 })

describe('OpenConnections', () => {
  it('adds, deletes from the middle and iterates what is left', () => {
    const list = new OpenConnections<ReturnType<typeof item>>()
    const [a, b, c] = [item('a'), item('b'), item('c')]
    for (const x of [a, b, c]) list.add(x)
    list.add(b) // twice: still once
    expect(list.size).toBe(3)
    list.delete(a)
    expect(list.has(a)).toBe(false)
    expect(a.slot).toBe(-1)
    expect([...list].map((x) => x.name).sort()).toEqual(['b', 'c'])
    expect(list.has(b) && list.has(c)).toBe(true)
    list.delete(a) // not held: nothing happens
    list.delete(c)
    list.delete(b)
    expect(list.size).toBe(0)
    expect([...list]).toEqual([])
  })

  it('does not take an item held by another list for its own', () => {
    const one = new OpenConnections<ReturnType<typeof item>>()
    const two = new OpenConnections<ReturnType<typeof item>>()
    const [a, b] = [item('a'), item('b')]
    one.add(a)
    two.add(b)
    expect(two.has(a)).toBe(false)
    two.delete(a)
    expect(two.size).toBe(1)
    expect(one.has(a)).toBe(true)
  })
})
