import { AppLoadError } from './types.js'

/** `module`, `module:export` or `module:factory(args)`, as Gunicorn's APP_MODULE. */
export interface AppModuleSpec {
  module: string
  /** Dotted path inside the module; undefined means the default export. */
  exportPath: string[] | undefined
  /** Arguments for `module:factory(args)`; undefined when the export is used as it is. */
  factoryArgs: unknown[] | undefined
}

const PATTERN = /^(.+?):([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)(?:\((.*)\))?$/s

export function parseAppModule(text: string): AppModuleSpec {
  const match = PATTERN.exec(text.trim())
  if (!match) {
    if (!text.trim() || text.includes(':')) {
      throw new AppLoadError(`'${text}' is not a valid APP_MODULE; use module, module:export or module:factory(args)`)
    }
    return { module: text.trim(), exportPath: undefined, factoryArgs: undefined }
  }
  const [, module, path, args] = match as unknown as [string, string, string, string | undefined]
  return { module, exportPath: path.split('.'), factoryArgs: args === undefined ? undefined : parseArgs(args, text) }
}

/** Factory arguments are JSON literals: `app:create("prod", 4)`. */
function parseArgs(args: string, text: string): unknown[] {
  try {
    return JSON.parse(`[${args}]`) as unknown[]
  } catch {
    throw new AppLoadError(`the factory arguments in '${text}' must be JSON literals, e.g. create("prod", 4)`)
  }
}
