import { describe, expect, it } from 'vitest'
import { esModuleInterop } from './import-module.js'

describe('esModuleInterop', () => {
  it("unwraps a compiled `export default` from a CommonJS module's exports", () => {
    const app = { fetch: () => new Response('x') }
    const namespace = { default: { __esModule: true, default: app, helper: 1 } }
    const unwrapped = esModuleInterop(namespace)
    expect(unwrapped.default).toBe(app)
    expect(unwrapped.helper).toBe(1)
  })

  it('leaves ES modules and plain CommonJS exports alone', () => {
    const listener = () => {}
    expect(esModuleInterop({ default: listener }).default).toBe(listener)
    const plain = { default: { app: listener } }
    expect(esModuleInterop(plain)).toBe(plain)
    // Marked, but with named exports only: they are found on the default as before.
    const named = { default: { __esModule: true, app: listener } }
    expect(esModuleInterop(named)).toBe(named)
  })
})
