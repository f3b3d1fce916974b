// For a connection that isn't a net.Socket (uWS's, a worker thread's) but that node-style code
// treats as one through `req.socket`: the socket options and the event-loop hold mean nothing
// there, so each of these does nothing and returns the socket, as net.Socket's methods do. gu's
// own timeouts (--timeout, --keep-alive, the connection guard's) still apply.

/** The no-op socket methods, for a stand-in's `interface X extends SocketNoops {}`. */
export interface SocketNoops {
  setTimeout(msecs?: number, callback?: () => void): this
  setNoDelay(noDelay?: boolean): this
  setKeepAlive(enable?: boolean, initialDelay?: number): this
  ref(): this
  unref(): this
}

const NOOP_NAMES = ['setTimeout', 'setNoDelay', 'setKeepAlive', 'ref', 'unref'] as const

function returnThis<T>(this: T): T {
  return this
}

/** Gives `standIn`'s prototype each `SocketNoops` method it doesn't define itself. */
export function addSocketNoops(standIn: { readonly prototype: object }): void {
  for (const name of NOOP_NAMES) {
    if (!Object.hasOwn(standIn.prototype, name)) Object.defineProperty(standIn.prototype, name, { value: returnThis, writable: true, configurable: true })
  }
}
