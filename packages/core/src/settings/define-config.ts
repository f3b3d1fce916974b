import type { UserConfig } from './types.js'

/** Types a `gu.config.*` file's default export: `export default defineConfig({ workers: 4 })`. */
export function defineConfig(config: UserConfig): UserConfig {
  return config
}
