import { realpathSync } from 'node:fs'
import { sep } from 'node:path'

/**
 * The command that builds `packageName`'s addon from source, for the package manager that
 * installed it: pnpm 10 skips dependencies' build scripts until they are approved, npm and yarn
 * run them (so rebuilding is enough once a compiler is there). pnpm is told by its layout
 * (`node_modules/.pnpm/`), yarn by Plug'n'Play or its user agent; anything else gets npm's.
 */
export function buildCommand(packageName: string, packageRoot: string): string {
  let real = packageRoot
  try {
    real = realpathSync(packageRoot)
  } catch {}
  if (real.includes(`${sep}node_modules${sep}.pnpm${sep}`)) {
    return `pnpm approve-builds (select ${packageName}: pnpm records the approval and builds it)`
  }
  if (process.versions.pnp || process.env.npm_config_user_agent?.startsWith('yarn')) return `yarn rebuild ${packageName}`
  return `npm rebuild ${packageName}`
}

/**
 * The one warning line for a package running without its addon: what is missing, what that
 * costs, and the command that fixes it, e.g. "@gu/worker-sync: native acceptor missing (no
 * prebuilt binary for linux-arm64 and none built from source), so workers accept with socket
 * copies (slower); fix: npm rebuild @gu/worker-sync (needs python3, make and a C compiler)".
 */
export function fallbackWarning(o: { packageName: string; packageRoot: string; what: string; reason: string; consequence: string }): string {
  return `${o.packageName}: ${o.what} missing (${o.reason}), so ${o.consequence}; fix: ${buildCommand(o.packageName, o.packageRoot)} (building needs python3, make and a C compiler)`
}
