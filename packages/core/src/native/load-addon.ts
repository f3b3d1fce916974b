import { existsSync, realpathSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'

const require = createRequire(import.meta.url)
const nodeGypBuild = require('node-gyp-build') as { resolve(dir: string): string }

/** A package's addon, and where it came from: shipped in `prebuilds/`, or built from source. */
export interface LoadedAddon<Binding> {
  binding: Binding
  path: string
  source: 'prebuilt' | 'built from source'
}

/** Why a package's addon could not be had: no binary for this platform, or one that won't load. */
export interface MissingAddon {
  /** One clause for a warning line, e.g. "no prebuilt binary for linux-arm64 (musl) and none built from source". */
  reason: string
}

/**
 * The one way a gu package loads its native addon (see docs/native-addons.md): node-gyp-build
 * looks in the package's `build/Release` (built from source at install) and then in its
 * `prebuilds/<platform>-<arch>/` (shipped in the tarball). `packageRoot` is the package's
 * directory: `packageRootOf(import.meta.url)` from any of its modules.
 * Never throws: a missing addon is a fallback for the caller to announce, not a crash.
 */
export function loadAddon<Binding>(packageRoot: string): LoadedAddon<Binding> | MissingAddon {
  // By its real path: under pnpm the package is a symlink into node_modules/.pnpm.
  const root = realpathSync(packageRoot)
  let path: string
  try {
    path = nodeGypBuild.resolve(root)
  } catch {
    return { reason: `no prebuilt binary for ${platformName()} and none built from source` }
  }
  try {
    const binding = require(path) as Binding
    const source = path.startsWith(join(root, 'prebuilds')) ? 'prebuilt' : 'built from source'
    return { binding, path, source }
  } catch (error) {
    return { reason: `its binary ${path} failed to load (${(error as Error).message.split('\n')[0]})` }
  }
}

export function isLoaded<Binding>(addon: LoadedAddon<Binding> | MissingAddon): addon is LoadedAddon<Binding> {
  return 'binding' in addon
}

/** linux-x64, linux-arm64 (musl): the names prebuilds/ is sorted by. */
function platformName(): string {
  const musl = process.platform === 'linux' && (process.env.LIBC === 'musl' || isAlpine())
  return `${process.platform}-${process.arch}${musl ? ' (musl)' : ''}`
}

/** node-gyp-build's own test for musl. */
function isAlpine(): boolean {
  return existsSync('/etc/alpine-release')
}
