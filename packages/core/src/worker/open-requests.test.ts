import { describe, expect, it } from 'vitest'
import { type Linked, OpenRequests } from './open-requests.js'

class Item implements Linked<Item> {
  prev: Item | undefined = undefined
  next: Item | undefined = undefined
  constructor(readonly name: string) {}
}

const names = (list: OpenRequests<Item>) => [...list].map((item) => item.name)

describe('OpenRequests', () => {
  it('holds what was added and not yet deleted, whichever end leaves first', () => {
    const list = new OpenRequests<Item>()
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((name) => new Item(name)) as [Item, Item, Item, Item]
    for (const item of [a, b, c, d]) list.add(item)
    expect(list.size).toBe(4)
    list.delete(b) // middle
    expect(names(list).sort()).toEqual(['a', 'c', 'd'])
    list.delete(d) // newest (the head)
    list.delete(a) // oldest (the tail)
    expect(names(list)).toEqual(['c'])
    expect(list.size).toBe(1)
    list.delete(c)
    expect(list.size).toBe(0)
    expect(names(list)).toEqual([])
    list.add(b)
    expect(names(list)).toEqual(['b'])
  })

  it('lets the item being visited leave the list during iteration', () => {
    const list = new OpenRequests<Item>()
    const items = ['a', 'b', 'c'].map((name) => new Item(name))
    for (const item of items) list.add(item)
    const seen: string[] = []
    for (const item of list) {
      seen.push(item.name)
      list.delete(item)
    }
    expect(seen.sort()).toEqual(['a', 'b', 'c'])
    expect(list.size).toBe(0)
  })
})
