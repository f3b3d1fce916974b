import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describeLoadError, importFile } from '../app/import-module.js'
import { ModuleNotFoundError, resolveModule } from '../app/resolve-module.js'
import { UsageError } from '../settings/errors.js'
import { VERSION } from '../version.js'
import { CONTRACT_VERSION } from './contract-version.js'
import type { WorkerClass } from './types.js'

export const BUILT_IN_WORKERS = ['sync', 'async', 'threads', 'uws'] as const

/** `-k async` means the package `@gu/worker-async`; anything else is an import specifier. */
export function workerClassSpecifier(name: string): string {
  return (BUILT_IN_WORKERS as readonly string[]).includes(name) ? `@gu/worker-${name}` : name
}

/**
 * Finds and checks a worker class, from the app's directory first, then from where gu itself is
 * installed. Every failure is a UsageError that says what to install or fix.
 */
export async function loadWorkerClass(name: string, appDir: string): Promise<WorkerClass> {
  const specifier = workerClassSpecifier(name)
  const file = find(specifier, appDir)
  if (!file) {
    const install = specifier.startsWith('.') || specifier.startsWith('/') ? '' : `; install it beside your app: npm install ${specifier}`
    throw new UsageError(`worker class '${name}' not found: cannot find module '${specifier}' from ${appDir}${install}`)
  }
  let module: Record<string, unknown>
  try {
    module = await importFile(file)
  } catch (error) {
    throw new UsageError(`worker class '${name}' failed to load: ${describeLoadError(error, file)}`)
  }
  const candidate = (module.default ?? module) as Partial<WorkerClass>
  const problem = contractProblem(candidate)
  if (problem) throw new UsageError(`'${specifier}' is not a gu worker class: ${problem}`)
  return candidate as WorkerClass
}

function find(specifier: string, appDir: string): string | undefined {
  const ownDir = dirname(fileURLToPath(import.meta.url))
  for (const dir of [appDir, ownDir]) {
    try {
      return resolveModule(specifier, dir)
    } catch (error) {
      if (!(error instanceof ModuleNotFoundError)) throw error
    }
  }
  return undefined
}

function contractProblem(value: Partial<WorkerClass> | undefined): string | undefined {
  if (!value || typeof value !== 'object') return 'its default export must be an object'
  if (value.contract !== CONTRACT_VERSION) {
    const built = typeof value.contract === 'number' ? `worker contract ${value.contract}` : "worker contract 1 (it declares no 'contract')"
    return `it was written for ${built}, and gu ${VERSION} speaks worker contract ${CONTRACT_VERSION}; use a version of the class written for contract ${CONTRACT_VERSION}`
  }
  if (typeof value.name !== 'string' || !value.name) return "its default export needs a 'name' string"
  if (value.sockets !== 'inherit' && value.sockets !== 'self') return "its 'sockets' must be 'inherit' or 'self'"
  if (typeof value.run !== 'function') return "it needs a 'run(worker)' function"
  if (value.timeout !== undefined && !['loop', 'request', 'thread'].includes(value.timeout)) return "its 'timeout' must be 'loop', 'request' or 'thread'"
  if (value.loadsApp !== undefined && typeof value.loadsApp !== 'boolean') return "its 'loadsApp' must be true or false"
  if (value.checkSettings !== undefined && typeof value.checkSettings !== 'function') return "'checkSettings' must be a function"
  return undefined
}
