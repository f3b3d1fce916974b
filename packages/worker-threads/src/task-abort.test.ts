import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Piscina } from 'piscina'
import { describe, expect, it } from 'vitest'
import { TaskAbort } from './task-abort.js'

describe('TaskAbort', () => {
  it('calls the listener piscina added, once, and reads as aborted', () => {
    const abort = new TaskAbort()
    let calls = 0
    abort.addEventListener('abort', () => calls++)
    abort.abort()
    abort.abort()
    expect(calls).toBe(1)
    expect(abort.aborted).toBe(true)
  })

  it('calls nothing once piscina removed its listener (the task ended)', () => {
    const abort = new TaskAbort()
    let calls = 0
    const listener = () => calls++
    abort.addEventListener('abort', listener)
    abort.removeEventListener('abort', listener)
    abort.abort()
    expect(calls).toBe(0)
  })

  it('makes a real piscina pool terminate the running task', async () => {
    // A task that never settles: only the abort can end it.
    const filename = join(mkdtempSync(join(tmpdir(), 'gu-task-abort-')), 'task.mjs')
    writeFileSync(filename, 'export default () => new Promise(() => {})\n')
    const pool = new Piscina({ filename, maxThreads: 1 })
    const abort = new TaskAbort()
    const running = pool.run(null, { signal: abort })
    setTimeout(() => abort.abort(), 100)
    await expect(running).rejects.toThrow(/aborted/)
    await pool.destroy()
  })
})
