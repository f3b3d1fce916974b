// bench/ has no dependencies of its own: hono and @hono/node-server come from packages/e2e.
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
export const requireFromE2e = createRequire(join(here, '../../packages/e2e/package.json'))
