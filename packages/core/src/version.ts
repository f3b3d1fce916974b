import { createRequire } from 'node:module'

/** @gu/core's version, read through the package's own name so it holds wherever this is bundled. */
export const VERSION: string = (createRequire(import.meta.url)('@gu/core/package.json') as { version: string }).version
