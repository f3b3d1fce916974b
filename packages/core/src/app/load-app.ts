import type { AppSource } from '../worker/types.js'
import { parseAppModule } from './app-module.js'
import { type AppExtras, toApp } from './detect-interface.js'
import { describeLoadError, importFile } from './import-module.js'
import { ModuleNotFoundError, resolveModule } from './resolve-module.js'
import { type App, AppLoadError } from './types.js'

/** The files an app was loaded from (for `--reload` and messages) and the app itself. */
export interface LoadedApp {
  app: App
  file: string
}

/**
 * Loads `APP_MODULE` from `dir`, in any thread. Every failure is an AppLoadError naming the
 * module and export.
 */
export async function loadApp(source: AppSource): Promise<LoadedApp> {
  const { module: appModule, dir, interface: appInterface } = source
  const spec = parseAppModule(appModule)
  let file: string
  try {
    file = resolveModule(spec.module, dir)
  } catch (error) {
    if (error instanceof ModuleNotFoundError) throw new AppLoadError(`${error.message} (APP_MODULE '${appModule}')`)
    throw error
  }
  let module: Record<string, unknown>
  try {
    module = await importFile(file)
  } catch (error) {
    throw new AppLoadError(`failed to load ${file}: ${describeLoadError(error, file)}`)
  }
  const { value, parent, name } = pick(module, spec.exportPath, spec.module)
  let exported = value
  if (spec.factoryArgs) {
    if (typeof value !== 'function') throw new AppLoadError(`${name} is not a function, so it can't be called as a factory`)
    try {
      exported = await (value as (...args: unknown[]) => unknown).apply(parent, spec.factoryArgs)
    } catch (error) {
      throw new AppLoadError(`${name}(…) threw: ${describeLoadError(error, file)}`)
    }
  }
  return { app: await toApp(await exported, name, appInterface, extras(module, name)), file }
}

/** The exports beside the app that gu reads: `upgrade`, `websocket`, `startup`, `shutdown`. */
function extras(module: Record<string, unknown>, name: string): AppExtras {
  const read = (key: string) => {
    const value = module[key] ?? (module.default as Record<string, unknown> | undefined)?.[key]
    if (value === undefined || key === 'websocket') return value
    if (typeof value !== 'function') throw new AppLoadError(`the module of ${name} exports '${key}', but it is ${typeof value}, not a function`)
    return value
  }
  return {
    upgrade: read('upgrade') as AppExtras['upgrade'],
    websocket: read('websocket') as AppExtras['websocket'],
    startup: read('startup') as AppExtras['startup'],
    shutdown: read('shutdown') as AppExtras['shutdown'],
  }
}

function pick(module: Record<string, unknown>, path: string[] | undefined, moduleName: string) {
  const segments = path ?? ['default']
  let parent: unknown = module
  let value: unknown = module
  for (const [i, key] of segments.entries()) {
    // A CommonJS module imported as ESM puts module.exports on `default`: look there too.
    const holder = value as Record<string, unknown>
    const next = i === 0 && !(key in holder) ? (holder.default as Record<string, unknown> | undefined)?.[key] : holder?.[key]
    if (next === undefined) {
      const available = Object.keys(module).join(', ') || 'nothing'
      const what = path ? `no export '${segments.slice(0, i + 1).join('.')}'` : 'no default export'
      throw new AppLoadError(`module '${moduleName}' has ${what} (it exports: ${available})`)
    }
    parent = value
    value = next
  }
  return { value, parent, name: `${moduleName}:${segments.join('.')}` }
}
