// The class under test: its specifier made an absolute file, and what it declares about itself.
import { existsSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { ClassInfo, TimeoutScope } from './types.js'

const TYPESCRIPT = /\.[cm]?ts$/

/** A package name, a relative or an absolute path, resolved from `cwd` to an absolute file. */
export function resolveClassFile(specifier: string, cwd: string): string {
  if (specifier.startsWith('.') || isAbsolute(specifier)) {
    const file = resolve(cwd, specifier)
    if (!existsSync(file) || !statSync(file).isFile()) throw new Error(`worker class '${specifier}' not found: no file ${file}`)
    return file
  }
  try {
    return createRequire(join(cwd, 'noop.js')).resolve(specifier)
  } catch {
    const file = resolveEsmOnly(specifier, cwd)
    if (file) return file
    throw new Error(`worker class '${specifier}' not found from ${cwd}: is the package installed?`)
  }
}

/** Packages that export only an `import` condition, which require.resolve refuses. */
function resolveEsmOnly(specifier: string, cwd: string): string | undefined {
  for (let dir = cwd; ; dir = dirname(dir)) {
    const manifest = join(dir, 'node_modules', specifier, 'package.json')
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: unknown; module?: string; main?: string }
      const root = typeof pkg.exports === 'object' && pkg.exports ? ((pkg.exports as Record<string, unknown>)['.'] ?? pkg.exports) : pkg.exports
      const entry = typeof root === 'string' ? root : ((root as Record<string, unknown> | undefined)?.import as string | undefined)
      const target = entry ?? pkg.module ?? pkg.main
      return typeof target === 'string' ? join(dirname(manifest), target) : undefined
    }
    if (dirname(dir) === dir) return undefined
  }
}

/** Imports the class module, as gu will, to read what it declares (`timeout` defaults to `loop`). */
export async function readClassInfo(file: string): Promise<ClassInfo> {
  const url = pathToFileURL(file).href
  let module: Record<string, unknown>
  try {
    if (TYPESCRIPT.test(file)) {
      const { tsImport } = await import('tsx/esm/api')
      module = (await tsImport(url, import.meta.url)) as Record<string, unknown>
    } else {
      module = (await import(url)) as Record<string, unknown>
    }
  } catch (error) {
    throw new Error(`worker class ${file} failed to load: ${(error as Error).message}`)
  }
  const value = (module.default ?? module) as Record<string, unknown> | undefined
  if (!value || typeof value !== 'object' || typeof value.run !== 'function') {
    throw new Error(`${file} is not a gu worker class: its default export needs a run(worker) function`)
  }
  const timeout = value.timeout ?? 'loop'
  if (timeout !== 'loop' && timeout !== 'request' && timeout !== 'thread') throw new Error(`${file}: 'timeout' must be 'loop', 'request' or 'thread', not ${JSON.stringify(timeout)}`)
  return {
    file,
    name: typeof value.name === 'string' ? value.name : '(unnamed)',
    sockets: value.sockets === 'self' ? 'self' : 'inherit',
    timeoutScope: timeout as TimeoutScope,
    websockets: value.websockets === true || value.websockets === 'fetch' ? value.websockets : false,
    tls: value.tls === true,
  }
}
