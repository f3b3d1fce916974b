import { type FSWatcher, readdirSync, statSync, watch } from 'node:fs'
import { dirname, isAbsolute, join, resolve, sep } from 'node:path'
import type { Logger } from '../log/logger.js'

/** Changes closer together than this make one reload (an editor's save is often several writes). */
export const RELOAD_DEBOUNCE_MS = 200
/** The most directories watched: one inotify watch each. Past it, further files go unwatched. */
const MAX_DIRS = 1000
/** Directories a `**` glob never descends into. */
const SKIP_DIRS = new Set(['node_modules', '.git'])

interface Glob {
  pattern: string
  regex: RegExp
}

/**
 * `--reload`: watches the files the workers loaded and the `--reload-extra-file` globs, and calls
 * `onChange` once a burst of changes has settled. Each directory holding a watched file gets one
 * `fs.watch` (inotify on Linux: no polling), which also sees a file an editor replaces by rename.
 */
export class Reloader {
  readonly #files = new Set<string>()
  #globs: Glob[] = []
  readonly #dirs = new Map<string, FSWatcher>()
  #timer: NodeJS.Timeout | undefined
  #warnedFull = false
  #closed = false
  readonly #log: Logger
  readonly #onChange: (file: string) => void
  readonly #debounceMs: number

  constructor(log: Logger, onChange: (file: string) => void, debounceMs = RELOAD_DEBOUNCE_MS) {
    this.#log = log
    this.#onChange = onChange
    this.#debounceMs = debounceMs
  }

  /** Watches these files (absolute paths), as reported by workers. */
  addFiles(files: readonly string[]): void {
    for (const file of files) {
      if (this.#closed || this.#files.has(file) || !isAbsolute(file)) continue
      if (this.#watchDir(dirname(file))) this.#files.add(file)
    }
  }

  /** Watches `patterns` (paths or globs, relative to `dir`), replacing the previous ones. */
  setExtraFiles(patterns: readonly string[], dir: string): void {
    this.#globs = []
    for (const pattern of patterns) {
      const absolute = resolve(dir, pattern)
      if (!hasMagic(absolute)) {
        this.addFiles([absolute])
        continue
      }
      this.#globs.push({ pattern, regex: globToRegExp(absolute) })
      this.#walk(globBase(absolute), absolute.includes('**') ? Infinity : depthBelowBase(absolute))
    }
  }

  close(): void {
    this.#closed = true
    clearTimeout(this.#timer)
    for (const watcher of this.#dirs.values()) watcher.close()
    this.#dirs.clear()
  }

  #matches(path: string): boolean {
    return this.#files.has(path) || this.#globs.some((glob) => glob.regex.test(path))
  }

  #walk(dir: string, depth: number): void {
    if (!this.#watchDir(dir) || depth <= 0) return
    let entries
    try {
      entries = readdirSync(dir, { withFileTypes: true })
    } catch {
      return
    }
    for (const entry of entries) {
      if (entry.isDirectory() && !SKIP_DIRS.has(entry.name)) this.#walk(join(dir, entry.name), depth - 1)
    }
  }

  /** Watches `dir` (once); false when it can't be watched. */
  #watchDir(dir: string): boolean {
    if (this.#dirs.has(dir)) return true
    if (this.#closed) return false
    if (this.#dirs.size >= MAX_DIRS) {
      if (!this.#warnedFull) this.#log.warning(`--reload watches at most ${MAX_DIRS} directories; files in ${dir} and further ones are not watched`)
      this.#warnedFull = true
      return false
    }
    try {
      if (!statSync(dir).isDirectory()) return false
      const watcher = watch(dir, { persistent: false }, (_event, name) => {
        const path = name ? join(dir, name.toString()) : undefined
        if (path && this.#matches(path)) this.#changed(path)
      })
      watcher.on('error', (error) => {
        this.#log.debug(`--reload: stopped watching ${dir}: ${error.message}`)
        watcher.close()
        this.#dirs.delete(dir)
      })
      this.#dirs.set(dir, watcher)
      return true
    } catch (error) {
      this.#log.debug(`--reload: can't watch ${dir}: ${(error as Error).message}`)
      return false
    }
  }

  #changed(path: string): void {
    if (this.#closed) return
    clearTimeout(this.#timer)
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      if (!this.#closed) this.#onChange(path)
    }, this.#debounceMs)
  }
}

function hasMagic(pattern: string): boolean {
  return /[*?[]/.test(pattern)
}

/** The directory a glob starts from: its leading segments with no wildcard. */
export function globBase(pattern: string): string {
  const segments = pattern.split(sep)
  const first = segments.findIndex(hasMagic)
  return segments.slice(0, first).join(sep) || sep
}

function depthBelowBase(pattern: string): number {
  const segments = pattern.split(sep)
  return segments.length - 1 - segments.findIndex(hasMagic)
}

/** `*` and `?` match within one path segment, `**` any number of segments, `[abc]` one of a set. */
export function globToRegExp(pattern: string): RegExp {
  let out = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === '*' && pattern[i + 1] === '*') {
      const slash = pattern[i + 2] === '/'
      out += slash ? '(?:.*/)?' : '.*'
      i += slash ? 2 : 1
    } else if (c === '*') {
      out += '[^/]*'
    } else if (c === '?') {
      out += '[^/]'
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 1)
      if (end === -1) {
        out += '\\['
      } else {
        const set = pattern.slice(i + 1, end)
        out += `[${set.startsWith('!') ? `^${set.slice(1)}` : set}]`
        i = end
      }
    } else {
      out += c.replace(/[.+^${}()|\\\]]/g, '\\$&')
    }
  }
  return new RegExp(`^${out}$`)
}
