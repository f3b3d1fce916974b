// The fixture apps the kit ships (`fixtures/` in the package) and what they promise to serve.
import { createHash } from 'node:crypto'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** `fixtures/` beside `dist/` (and beside `src/` when run from source). */
export const FIXTURES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures')

export type FixtureApp = 'node' | 'fetch' | 'ws-node' | 'ws-fetch' | 'ws-bun'

const MODULES: Record<FixtureApp, string> = {
  node: `${join(FIXTURES_DIR, 'node-app.mjs')}:app`,
  fetch: join(FIXTURES_DIR, 'fetch-app.mjs'),
  // Apps that take WebSockets: an exported http.Server with ws on it, and Bun-style handlers.
  'ws-node': `${join(FIXTURES_DIR, 'ws-node-app.mjs')}:server`,
  'ws-fetch': join(FIXTURES_DIR, 'ws-fetch-app.mjs'),
  // Bun's server API around them: upgrade data and headers, topics, a refused handshake.
  'ws-bun': join(FIXTURES_DIR, 'ws-bun-app.mjs'),
}

/** The APP_MODULE of a fixture app, as an absolute path. */
export function fixtureAppModule(app: FixtureApp): string {
  return MODULES[app]
}

/** A file the kit ships in `fixtures/`, as an absolute path. */
export function fixtureAppModuleFile(name: string): string {
  return join(FIXTURES_DIR, name)
}

/** `/stream?mb=N` sends N MiB as 64 KiB blocks, block k filled with the byte k % 256. */
export const STREAM_BLOCK = 64 * 1024

export function streamSha256(mebibytes: number): string {
  const hash = createHash('sha256')
  for (let k = 0; k < mebibytes * 16; k++) hash.update(Buffer.alloc(STREAM_BLOCK, k % 256))
  return hash.digest('hex')
}

/** What `/hash` answers: the request body's length and SHA-256. */
export interface BodyDigest {
  length: number
  sha256: string
}
