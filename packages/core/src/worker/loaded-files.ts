import { existsSync } from 'node:fs'
import nodeModule, { createRequire } from 'node:module'
import { isAbsolute } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { MessageChannel } from 'node:worker_threads'
import { RELOAD_HOOKS } from '../arbiter/paths.js'

/** How long newly loaded files gather before they are reported together. */
const BATCH_MS = 100
/** The most files one worker reports: a reloader watches source files, not a whole disk. */
const MAX_FILES = 5000

/**
 * The files a worker loaded for `--reload`: ES modules (and TypeScript through tsx) as reported by
 * module hooks registered before the app loads (`module.register`, Node 20.6+; see
 * reload-hooks.ts), CommonJS modules from `require.cache` (`require()` doesn't run those hooks on
 * Node 20), and the app file itself. Files under `node_modules` are left out. Reports go out in batches, each
 * naming the files not reported before, so modules the app imports later are watched too.
 */
export class LoadedFiles {
  readonly #reported = new Set<string>()
  readonly #pending = new Set<string>()
  readonly #baseline: Set<string>
  readonly #port: MessageChannel['port1']
  #timer: NodeJS.Timeout | undefined
  #report: ((files: string[]) => void) | undefined
  #flushes = 0
  readonly #flushWaiters = new Map<number, () => void>()

  constructor() {
    this.#baseline = new Set(Object.keys(requireCache()))
    const { port1, port2 } = new MessageChannel()
    this.#port = port1
    port1.on('message', (message: unknown) => {
      if (typeof message === 'string') return this.add(message)
      const token = (message as { flushed?: number }).flushed
      if (token !== undefined) this.#flushWaiters.get(token)?.()
    })
    port1.unref()
    // Node before 20.6 has no module.register: there only CommonJS files and the app file are seen.
    const { register } = nodeModule as Partial<typeof nodeModule>
    if (register) register(pathToFileURL(RELOAD_HOOKS).href, { data: { port: port2 }, transferList: [port2] })
  }

  /** Adds a file (a path or a `file:` URL); it goes out with the next batch. */
  add(file: string): void {
    const path = file.startsWith('file:') ? fileURLToPath(file.replace(/[?#].*$/, '')) : file
    if (!isAbsolute(path) || path.includes('/node_modules/') || this.#reported.has(path)) return
    if (this.#reported.size + this.#pending.size >= MAX_FILES) return
    this.#pending.add(path)
    if (this.#report && !this.#timer) this.#timer = setTimeout(() => this.#send(), BATCH_MS)
  }

  /** Starts reporting: what was loaded so far at once, later files in batches. */
  reportTo(report: (files: string[]) => void): void {
    this.#report = report
    this.#collectRequireCache()
    this.#send()
  }

  /** Waits until the hooks thread has posted every file it saw (bounded), then returns them all. */
  async flush(): Promise<string[]> {
    const token = ++this.#flushes
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 500)
      this.#flushWaiters.set(token, () => {
        clearTimeout(timer)
        resolve()
      })
      this.#port.postMessage(token)
    })
    this.#flushWaiters.delete(token)
    this.#collectRequireCache()
    return [...this.#pending].filter((f) => existsSync(f))
  }

  #collectRequireCache(): void {
    for (const file of Object.keys(requireCache())) if (!this.#baseline.has(file)) this.add(file)
  }

  #send(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#collectRequireCache()
    const files = [...this.#pending].filter((f) => existsSync(f))
    this.#pending.clear()
    for (const file of files) this.#reported.add(file)
    if (files.length > 0) this.#report?.(files)
  }
}

function requireCache(): Record<string, unknown> {
  return createRequire(import.meta.url).cache
}
