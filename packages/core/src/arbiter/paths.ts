import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

// Resolved through the package's own name, so it holds wherever the bundler put this code.
const coreDist = join(dirname(createRequire(import.meta.url).resolve('@gu/core/package.json')), 'dist')

export const WORKER_ENTRY = join(coreDist, 'worker', 'entry.js')
export const LISTEN_HELPER = join(coreDist, 'arbiter', 'listen-fds.js')
export const WATCHDOG_THREAD = join(coreDist, 'worker', 'watchdog-thread.js')
export const RELOAD_HOOKS = join(coreDist, 'worker', 'reload-hooks.js')
