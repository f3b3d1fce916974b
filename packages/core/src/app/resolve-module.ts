import { existsSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, isAbsolute, join, resolve } from 'node:path'

const EXTENSIONS = ['', '.js', '.mjs', '.cjs', '.ts', '.mts', '.cts']
const INDEX_FILES = EXTENSIONS.slice(1).map((ext) => `index${ext}`)

/** Thrown when a module can't be found: the message names it and where it was looked for. */
export class ModuleNotFoundError extends Error {
  override readonly name = 'ModuleNotFoundError'
}

/**
 * Finds `specifier` the way a user of `gu app:app` expects: a file in `fromDir` first (with or
 * without its extension, as Gunicorn finds `app.py` for `app`), then a package installed there.
 */
export function resolveModule(specifier: string, fromDir: string): string {
  const local = resolveFile(isAbsolute(specifier) ? specifier : resolve(fromDir, specifier))
  if (local) return local
  const path = isAbsolute(specifier) ? specifier : resolve(fromDir, specifier)
  const missingFile = () => new ModuleNotFoundError(`the file ${path} doesn't exist${triedExtensions(specifier)}`)
  if (isRelative(specifier) || isAbsolute(specifier)) throw missingFile()
  const found = resolvePackage(specifier, fromDir)
  if (found) return found
  if (looksLikeFile(specifier)) throw missingFile()
  throw new ModuleNotFoundError(`no file ${path}${triedExtensions(specifier)}, and no package '${specifier}' installed from ${fromDir}`)
}

/** `app.js`, `src/server.ts`: a path, not a package name (which has no extension; a scope starts with @). */
function looksLikeFile(specifier: string): boolean {
  return /\.[cm]?[jt]s$/.test(specifier) && !specifier.startsWith('@')
}

function triedExtensions(specifier: string): string {
  return /\.[cm]?[jt]s$/.test(specifier) ? '' : ` (nor with ${EXTENSIONS.slice(1).join(', ')}, nor a directory with an index file)`
}

function isRelative(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..'
}

function resolveFile(base: string): string | undefined {
  for (const ext of EXTENSIONS) {
    const candidate = base + ext
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate
  }
  if (existsSync(base) && statSync(base).isDirectory()) {
    for (const index of INDEX_FILES) if (existsSync(join(base, index))) return join(base, index)
  }
  return undefined
}

/** Package resolution: CommonJS rules first, then the `import` condition for ESM-only exports. */
function resolvePackage(specifier: string, fromDir: string): string | undefined {
  try {
    return createRequire(join(fromDir, 'noop.js')).resolve(specifier)
  } catch {
    return resolveImportCondition(specifier, fromDir)
  }
}

function resolveImportCondition(specifier: string, fromDir: string): string | undefined {
  const parts = specifier.split('/')
  const nameLength = specifier.startsWith('@') ? 2 : 1
  const name = parts.slice(0, nameLength).join('/')
  const subpath = ['.', ...parts.slice(nameLength)].join('/')
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const pkgDir = join(dir, 'node_modules', name)
    const manifest = join(pkgDir, 'package.json')
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: unknown; main?: string }
      const target = pickExport(pkg.exports, subpath) ?? (subpath === '.' ? pkg.main ?? 'index.js' : subpath)
      return resolveFile(join(pkgDir, target))
    }
    if (dirname(dir) === dir) return undefined
  }
}

function pickExport(exports: unknown, subpath: string): string | undefined {
  if (exports == null) return undefined
  if (typeof exports === 'string') return subpath === '.' ? exports : undefined
  const map = exports as Record<string, unknown>
  const entry = Object.keys(map).some((k) => k.startsWith('.')) ? map[subpath] : subpath === '.' ? map : undefined
  return pickCondition(entry)
}

function pickCondition(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry
  if (Array.isArray(entry)) return entry.map(pickCondition).find(Boolean)
  if (entry && typeof entry === 'object') {
    const conditions = entry as Record<string, unknown>
    for (const key of ['import', 'node', 'default']) {
      const found = pickCondition(conditions[key])
      if (found) return found
    }
  }
  return undefined
}
