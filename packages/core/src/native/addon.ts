import { coreAddon, isLoaded } from './core-addon.js'

/** What balanced accept and --reuse-port use of @gu/core's addon (native/accept-one.c, native/reuse-port.c). */
export interface NativeAddon {
  /** A watcher for a listening descriptor, calling `onAccept` with a descriptor or a negative errno each time polling finds it readable. */
  watch(fd: number, onAccept: (fdOrErrno: number) => void): object
  resume(watcher: object): void
  pause(watcher: object): void
  /** Stops watching for good and closes this process's descriptor of the listening socket. */
  closeWatcher(watcher: object): void
  /** accept4() without waiting: a descriptor, or a negative errno (-EAGAIN: nothing queued). */
  acceptNow(watcher: object): number
  /** Whether the watched socket is a TCP (not a unix) socket. */
  isTcp(watcher: object): boolean
  /** A TCP socket bound to `host:port` with SO_REUSEPORT (not listening): its descriptor, or a negative errno. */
  bindReusePort(host: string, port: number, ipv6: boolean): number
}

/** The addon, or undefined where there is none (balanced accept and --reuse-port then aren't available). */
export function nativeAddon(): NativeAddon | undefined {
  const addon = coreAddon()
  return isLoaded(addon) ? (addon.binding as unknown as NativeAddon) : undefined
}
