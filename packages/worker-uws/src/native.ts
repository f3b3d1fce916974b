// Loads the uWebSockets.js native binary, or explains in one line why it can't: never the slower
// JavaScript fallback some builds of the package switch to on their own.
import { createRequire } from 'node:module'
import type * as Uws from 'uWebSockets.js'

export type UwsModule = typeof Uws

let loaded: UwsModule | undefined

/** The native module; throws an Error with a one-line message when it can't be loaded. */
export function loadUws(): UwsModule {
  if (loaded) return loaded
  const fallbackFlag = process.env.UWS_USE_FALLBACK
  if (fallbackFlag && /^(1|true)$/i.test(fallbackFlag)) {
    throw new Error(`UWS_USE_FALLBACK=${fallbackFlag} asks uWebSockets.js for its JavaScript fallback, which this worker class never serves on: unset it`)
  }
  const warnings: string[] = []
  const warn = console.warn
  let module: Partial<UwsModule> & Record<string, unknown>
  // The package announces a failed native load with console.warn and falls back silently: capture it.
  console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(' '))
  try {
    module = createRequire(import.meta.url)('uWebSockets.js')
  } catch (error) {
    throw new Error(`uWebSockets.js can't be loaded on ${platform()}: ${firstLine(String((error as Error)?.message ?? error))}`)
  } finally {
    console.warn = warn
  }
  // The native binding exports the listen options; the package's JavaScript fallback does not.
  if (typeof module.App !== 'function' || typeof module.LIBUS_LISTEN_EXCLUSIVE_PORT !== 'number' || typeof module.us_listen_socket_close !== 'function') {
    const why = warnings.map(reason).find(Boolean) ?? 'the package loaded without its native binding'
    throw new Error(
      `uWebSockets.js has no native binary for ${platform()} (${why}); this worker class does not serve on its slower JavaScript fallback: use a platform the package ships a binary for, or point the 'uWebSockets.js' dependency at a build for this Node`,
    )
  }
  return (loaded = module as UwsModule)
}

function platform(): string {
  return `${process.platform}-${process.arch}, Node ${process.version} (ABI ${process.versions.modules})`
}

/** The useful line of the package's warning (it prints a heading, then the error). */
function reason(warning: string): string {
  const lines = warning.split('\n').map((l) => l.trim()).filter(Boolean)
  const error = lines.find((l) => /error/i.test(l) && !/not compatible|falling back/i.test(l))
  return error ? firstLine(error) : ''
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim()
}
