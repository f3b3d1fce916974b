// --reload sees the files the app loads in the pool threads (the worker's main thread never loads it).
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { request, startGu, stopAll } from './harness.js'

let dir: string | undefined
afterEach(async () => {
  await stopAll()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('--reload', () => {
  it('restarts the worker when a file only the threads imported changes', async () => {
    dir = mkdtempSync(join(tmpdir(), 'gu-threads-reload-'))
    writeFileSync(join(dir, 'greeting.mjs'), "export const greeting = 'v1'\n")
    writeFileSync(join(dir, 'app.mjs'), "import { greeting } from './greeting.mjs'\nexport const app = (req, res) => res.end(`${greeting} ${process.pid}`)\n")
    const gu = await startGu(`${join(dir, 'app.mjs')}:app`, { args: ['--threads', '2', '--reload'] })
    const [first] = gu.workerPids
    expect((await request(gu.url)).text).toBe(`v1 ${first}`)
    // The threads report what they loaded in batches (100 ms): give the arbiter time to watch it.
    await new Promise((resolve) => setTimeout(resolve, 1000))
    writeFileSync(join(dir, 'greeting.mjs'), "export const greeting = 'v2'\n")
    appendFileSync(join(dir, 'greeting.mjs'), '// changed\n')
    for (const deadline = Date.now() + 15_000; gu.workerPids.length < 2; await new Promise((resolve) => setTimeout(resolve, 100))) {
      if (Date.now() > deadline) throw new Error(`no new worker 15s after the change:\n${gu.output}`)
    }
    const second = gu.workerPids.at(-1)!
    expect(second).not.toBe(first)
    await expect.poll(async () => (await request(gu.url)).text, { timeout: 10_000 }).toBe(`v2 ${second}`)
  })
})
