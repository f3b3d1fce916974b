import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/** `bin/gu.js` of the `@gu/core` installed beside the kit (its peer dependency). */
export function guBin(): string {
  let manifest: string
  try {
    manifest = createRequire(import.meta.url).resolve('@gu/core/package.json')
  } catch {
    throw new Error('@gu/core is not installed: the testkit runs the gu it finds beside itself (npm install -D @gu/core)')
  }
  const bin = join(dirname(manifest), 'bin', 'gu.js')
  if (!existsSync(bin)) throw new Error(`@gu/core at ${dirname(manifest)} has no bin/gu.js`)
  return bin
}
