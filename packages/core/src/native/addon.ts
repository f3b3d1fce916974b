import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/** @gu/core's addon, built from packages/core/native/ at install. */
export interface NativeAddon {
  /** A watcher for a listening descriptor, calling `onAccept` with a descriptor or a negative errno each time polling finds it readable. */
  watch(fd: number, onAccept: (fdOrErrno: number) => void): object
  resume(watcher: object): void
  pause(watcher: object): void
  /** Stops watching for good and closes this process's descriptor of the listening socket. */
  close(watcher: object): void
  /** accept4() without waiting: a descriptor, or a negative errno (-EAGAIN: nothing queued). */
  acceptNow(watcher: object): number
  /** Whether the watched socket is a TCP (not a unix) socket. */
  isTcp(watcher: object): boolean
  /** A TCP socket bound to `host:port` with SO_REUSEPORT (not listening): its descriptor, or a negative errno. */
  bindReusePort(host: string, port: number, ipv6: boolean): number
}

let loaded: NativeAddon | null | undefined

/** The addon, or undefined where it could not be built (balanced accept and --reuse-port then aren't available). */
export function nativeAddon(): NativeAddon | undefined {
  if (loaded === undefined) {
    try {
      // Resolved through the package's own name, wherever the bundler put this code.
      const require = createRequire(import.meta.url)
      const root = dirname(require.resolve('@gu/core/package.json'))
      loaded = require(join(root, 'build', 'Release', 'gu_native.node')) as NativeAddon
    } catch {
      loaded = null
    }
  }
  return loaded ?? undefined
}
