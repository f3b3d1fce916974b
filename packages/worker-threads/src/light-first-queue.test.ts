import { describe, expect, it } from 'vitest'
import { LightFirstQueue, type Waiting } from './light-first-queue.js'

/** A request that runs until `finish()` is called, recording the order it started in. */
function request(route: string, started: string[], since = performance.now()) {
  let finish!: () => void
  const done = new Promise<void>((resolve) => (finish = resolve))
  const waiting: Waiting = {
    route,
    since,
    run: (free) => {
      started.push(route)
      void done.then(free)
    },
  }
  return { waiting, finish }
}

const turn = () => new Promise((resolve) => setTimeout(resolve, 5))

describe('LightFirstQueue', () => {
  it('runs at once while a thread is free, then is full at the queue limit', () => {
    const queue = new LightFirstQueue(1, 1)
    const started: string[] = []
    queue.offer(request('GET /a', started).waiting)
    expect(started).toEqual(['GET /a'])
    expect(queue.full).toBe(false)
    queue.offer(request('GET /b', started).waiting)
    expect(started).toEqual(['GET /a'])
    expect(queue.full).toBe(true)
  })

  it('gives a freed thread to the lightest route waiting, not to the first come', async () => {
    const queue = new LightFirstQueue(1, 10)
    const started: string[] = []
    // Teach it that /heavy takes a while.
    const teach = request('GET /heavy', started)
    queue.offer(teach.waiting)
    await turn()
    teach.finish()
    await turn()
    expect(queue.estimate('GET /heavy')).toBeGreaterThan(3)
    const running = request('GET /heavy', started)
    queue.offer(running.waiting)
    const heavy = request('GET /heavy', started)
    const light = request('GET /light', started)
    queue.offer(heavy.waiting)
    queue.offer(light.waiting)
    running.finish()
    await turn()
    expect(started[2]).toBe('GET /light')
    light.finish()
    await turn()
    expect(started[3]).toBe('GET /heavy')
  })

  it('lets a heavy request that has waited longer than its estimate go before a newcomer', async () => {
    const queue = new LightFirstQueue(1, 10)
    const started: string[] = []
    const teach = request('GET /heavy', started)
    queue.offer(teach.waiting)
    await turn()
    teach.finish()
    await turn()
    const running = request('GET /x', started)
    queue.offer(running.waiting)
    // Waiting for a minute already: past any estimate.
    queue.offer(request('GET /heavy', started, performance.now() - 60_000).waiting)
    queue.offer(request('GET /light', started).waiting)
    running.finish()
    await turn()
    expect(started[2]).toBe('GET /heavy')
  })

  it('takes a request out of the queue', () => {
    const queue = new LightFirstQueue(1, 1)
    const started: string[] = []
    queue.offer(request('GET /a', started).waiting)
    const b = request('GET /b', started).waiting
    queue.offer(b)
    expect(queue.remove(b)).toBe(true)
    expect(queue.remove(b)).toBe(false)
    expect(queue.full).toBe(false)
  })
})
