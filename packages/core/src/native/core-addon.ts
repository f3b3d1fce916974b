import { isLoaded, loadAddon, type LoadedAddon, type MissingAddon } from './load-addon.js'
import { packageRootOf } from './package-root.js'

/** native/unix-datagram.c: datagrams to unix socket paths; each call returns a value or a negative errno. */
export interface UnixDatagramBinding {
  open(): number
  sendTo(fd: number, path: string, message: Buffer): number
  close(fd: number): number
}

/** @gu/core's directory, where its addon is looked for. */
export const CORE_ROOT = packageRootOf(import.meta.url)

let addon: LoadedAddon<UnixDatagramBinding> | MissingAddon | undefined

/** @gu/core's own addon, loaded once per process. */
export function coreAddon(): LoadedAddon<UnixDatagramBinding> | MissingAddon {
  addon ??= loadAddon<UnixDatagramBinding>(CORE_ROOT)
  return addon
}

export { isLoaded }
