import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

const TYPESCRIPT = /\.[cm]?ts$/

/** Bumped by `freshImports()`: once above 0, every import gets a new module instance (`?v=N`). */
let importVersion = 0

/**
 * Makes the next imports load files anew rather than from the module cache (the arbiter's HUP
 * re-reads the config file and, with --preload, the app). Only the named file is fresh: what it
 * imports in turn still comes from the cache, and each old instance stays in memory.
 */
export function freshImports(): void {
  importVersion++
}

/** Imports a resolved file; TypeScript goes through tsx, so `.ts` loads on Node 20 with no build. */
export async function importFile(file: string): Promise<Record<string, unknown>> {
  const base = pathToFileURL(file).href
  const url = importVersion > 0 ? `${base}?v=${importVersion}` : base
  // A CommonJS file imported as ESM is cached by its path, whatever the query says.
  if (importVersion > 0) delete createRequire(import.meta.url).cache[file]
  if (TYPESCRIPT.test(file)) {
    const { tsImport } = await import('tsx/esm/api')
    return esModuleInterop((await tsImport(url, import.meta.url)) as Record<string, unknown>)
  }
  return esModuleInterop((await import(url)) as Record<string, unknown>)
}

/**
 * A CommonJS module imported as ESM has `module.exports` as its default. Compiled from
 * `export default …` (TypeScript in a `"type": "commonjs"` package, Babel), that object is marked
 * `__esModule` and holds the real default one level down: take it from there, and its named
 * exports beside it, as bundlers and TypeScript's esModuleInterop do.
 */
export function esModuleInterop(namespace: Record<string, unknown>): Record<string, unknown> {
  const exported = namespace.default as Record<string, unknown> | null | undefined
  if (!exported || typeof exported !== 'object' || exported.__esModule !== true || !('default' in exported)) return namespace
  return { ...namespace, ...exported, default: exported.default }
}

/**
 * One line that says why a module didn't load, with the file and line of a syntax error when the
 * error carries one (Node puts it at the top of the stack, esbuild in its message).
 */
export function describeLoadError(error: unknown, file: string): string {
  if (!(error instanceof Error)) return String(error)
  const compiler = compilerError(error.message)
  if (compiler) return compiler
  const firstLine = error.message.split('\n').find((line) => line.trim()) ?? error.name
  const location = findLocation(`${error.message}\n${error.stack ?? ''}`, file) ?? syntaxErrorLocation(error, file)
  const where = location && !firstLine.includes(location) ? ` at ${location}` : ''
  return `${error.name === 'Error' ? '' : `${error.name}: `}${firstLine}${where}`
}

// esbuild (through tsx): "Transform failed with 1 error:\n/app/broken.ts:3:10: ERROR: Expected ";" but found "x"".
const ESBUILD_ERROR = /^(.+?):(\d+):(\d+): ERROR: (.+)$/m

/** The compiler's own message for a TypeScript file that doesn't compile, with file, line and column (1-based). */
function compilerError(message: string): string | undefined {
  if (!message.startsWith('Transform failed')) return undefined
  const match = ESBUILD_ERROR.exec(message)
  if (!match) return undefined
  const [, where, line, column, text] = match as unknown as [string, string, string, string, string]
  const more = /with (\d+) errors/.exec(message)
  const others = more ? ` (and ${Number(more[1]) - 1} more)` : ''
  return `SyntaxError: ${text} at ${where}:${line}:${Number(column) + 1}${others}`
}

function findLocation(text: string, file: string): string | undefined {
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const match = new RegExp(`(?:file://)?${escaped}(?:\\?v=\\d+)?:(\\d+)(?::(\\d+))?`).exec(text)
  return match ? `${file}:${match[1]}` : undefined
}

/**
 * Node 20 keeps the file and line of a syntax error in an ES module out of the error it throws;
 * `node --check` prints them, so ask it (only on this error path, and only for JavaScript files).
 */
function syntaxErrorLocation(error: Error, file: string): string | undefined {
  if (error.name !== 'SyntaxError' || TYPESCRIPT.test(file)) return undefined
  const check = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8', timeout: 10_000 })
  return check.status === 0 ? undefined : findLocation(check.stderr ?? '', file)
}
