import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/** The addon built from packages/core/native/accept-one.c at install. */
export interface AcceptBinding {
  /** A watcher for a listening descriptor, calling `onAccept` with a descriptor or a negative errno each time polling finds it readable. */
  watch(fd: number, onAccept: (fdOrErrno: number) => void): object
  resume(watcher: object): void
  pause(watcher: object): void
  /** accept4() without waiting: a descriptor, or a negative errno (-EAGAIN: nothing queued). */
  acceptNow(watcher: object): number
  /** Whether the watched socket is a TCP (not a unix) socket. */
  isTcp(watcher: object): boolean
}

let loaded: AcceptBinding | null | undefined

/** The addon, or undefined where it could not be built (then node's own accept is used). */
export function acceptBinding(): AcceptBinding | undefined {
  if (loaded === undefined) {
    try {
      // Resolved through the package's own name, wherever the bundler put this code.
      const require = createRequire(import.meta.url)
      const root = dirname(require.resolve('@gu/core/package.json'))
      loaded = require(join(root, 'build', 'Release', 'balanced_accept.node')) as AcceptBinding
    } catch {
      loaded = null
    }
  }
  return loaded ?? undefined
}
