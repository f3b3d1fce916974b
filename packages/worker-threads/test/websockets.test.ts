// The threads class can't hold WebSockets (each would pin a pool thread): it refuses such an app at start.
import { afterEach, expect, it } from 'vitest'
import { Gu, THREADS_CLASS, stopAll } from './harness.js'

afterEach(stopAll)

it('refuses an app with websocket handlers at start, in one line that names the way out', async () => {
  const gu = new Gu(['websocket-app.mjs', '-k', THREADS_CLASS, '-w', '1'], 0, {})
  const code = await new Promise<number | null>((resolve) => gu.child.once('exit', (c) => resolve(c)))
  expect(code, gu.output).toBe(4)
  expect(gu.output).toMatch(/websocket-app\.mjs:default takes WebSockets \('websocket' handlers\), which the threads worker class can't hold .*-k async/)
})
