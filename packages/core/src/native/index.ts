export { isLoaded, loadAddon, type LoadedAddon, type MissingAddon } from './load-addon.js'
export { buildCommand, fallbackWarning } from './fallback-warning.js'
export { packageRootOf } from './package-root.js'
