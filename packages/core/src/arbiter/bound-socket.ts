import { spawnSync } from 'node:child_process'
import { existsSync, fstatSync, rmSync } from 'node:fs'
import net from 'node:net'
import { constants } from 'node:os'
import { dirname } from 'node:path'
import { getSystemErrorName } from 'node:util'
import { formatBind, parseBind } from '../settings/bind-address.js'
import type { BindAddress } from '../settings/types.js'
import { LISTEN_HELPER } from './paths.js'

/** libuv's bound-but-not-listening handle, from node:net's own server-handle factory. */
interface RawHandle {
  fd: number
  close(): void
  getsockname?(out: { port?: number; address?: string }): number
}
// libuv's negative errnos, as _createServerHandle returns them.
const UV_EADDRINUSE = -constants.errno.EADDRINUSE
const UV_ENOENT = -constants.errno.ENOENT

const createServerHandle = (net as unknown as {
  _createServerHandle(address: string | null, port: number, addressType: number, fd?: number, flags?: number): RawHandle | number
})._createServerHandle

/** A listening socket the arbiter holds and hands to workers. */
export interface BoundSocket {
  /** As configured: the key used to tell which addresses changed on reload. */
  readonly spec: string
  readonly address: BindAddress
  readonly fd: number
  /** What the address resolved to (a port 0 bind gets its real port here). */
  readonly label: string
  /** The socket as a libuv handle: sending it over IPC hands the worker a fresh descriptor. */
  readonly handle: object
  close(): void
}

/** A bind failure, with the errno code so the caller can decide to retry. */
export class BindError extends Error {
  constructor(
    readonly code: string,
    readonly spec: string,
    message: string,
  ) {
    super(message)
  }
}

/**
 * Binds (without listening) one address; an `fd://N` address is checked and adopted. A unix
 * socket file must not exist (see `removeStaleSocket`).
 */
export function bindAddress(spec: string): BoundSocket {
  const address = parseBind(spec)
  if (address.kind === 'fd') return adoptDescriptor(spec, address, address.fd)
  const handle =
    address.kind === 'unix'
      ? createServerHandle(address.path, -1, -1)
      : createServerHandle(address.host, address.port, address.ipv6 ? 6 : 4, undefined, 0)
  if (typeof handle === 'number') throw bindFailure(address.kind === 'unix' ? unixBindErrno(handle, address.path) : handle, spec)
  const port = address.kind === 'tcp' ? boundPort(handle) : undefined
  if (address.kind === 'tcp' && !port) {
    // libuv defers EADDRINUSE from bind(2) to listen; listening on the unbound socket would pick
    // a random port on every interface, so an unbound socket here means the address is in use.
    handle.close()
    throw bindFailure(UV_EADDRINUSE, spec)
  }
  const label = address.kind === 'tcp' ? formatBind({ ...address, port: port ?? address.port }) : formatBind(address)
  return { spec, address, fd: handle.fd, label, handle, close: closer(handle, address) }
}

/**
 * Adopts a listening descriptor this process inherited as the socket for `spec`: an `fd://N`
 * bind, or an address an old arbiter handed over with USR2 (`spec` then names that address).
 */
export function adoptDescriptor(spec: string, address: BindAddress, fd: number): BoundSocket {
  let isSocket = false
  try {
    isSocket = fstatSync(fd).isSocket()
  } catch {}
  if (!isSocket) throw new BindError('EBADF', spec, `descriptor ${fd} (${spec}) is not an open socket`)
  const handle = createServerHandle(null, 0, 0, fd)
  if (typeof handle === 'number') throw bindFailure(handle, spec)
  const label = describeInherited(handle) ?? (address.kind === 'fd' ? spec : formatBind(address))
  return { spec, address, fd, label, handle, close: closer(handle, address) }
}

/**
 * How a socket is let go: closing the handle (and, for a unix address, its socket file) — except
 * an `fd://N` descriptor, which was given to the arbiter and is kept for its lifetime.
 */
function closer(handle: RawHandle, address: BindAddress): () => void {
  if (address.kind === 'fd') return () => {}
  return () => {
    handle.close()
    if (address.kind === 'unix') rmSync(address.path, { force: true })
  }
}

/**
 * Puts sockets into the listening state with `backlog` (see listen-fds.ts); throws the first
 * failure. listen(2) on a socket that already listens sets its backlog anew, so this runs for
 * every socket gu serves — inherited (`fd://N`, systemd's, an old arbiter's) as well as its own —
 * and the setting holds on every path, as Gunicorn's does.
 */
export function listenAll(sockets: readonly BoundSocket[], backlog: number): void {
  if (sockets.length === 0) return
  const result = spawnSync(process.execPath, [LISTEN_HELPER, String(backlog), String(sockets.length)], {
    stdio: ['ignore', 'pipe', 'inherit', ...sockets.map((s) => s.fd)],
    encoding: 'utf8',
  })
  if (result.status === 0) return
  const failure = JSON.parse(result.stdout || '{}') as { index?: number; code?: string; message?: string }
  const spec = sockets[failure.index ?? 0]?.spec ?? '?'
  throw new BindError(failure.code ?? 'EUNKNOWN', spec, failure.message ?? `listen failed (${result.error?.message ?? result.status})`)
}

/** An inherited TCP socket's address, as `http://HOST:PORT`, so the log says where it listens. */
function describeInherited(handle: RawHandle): string | undefined {
  const out: { port?: number; address?: string; family?: string } = {}
  if (handle.getsockname?.(out) !== 0 || !out.address || !out.port) return undefined
  return formatBind({ kind: 'tcp', host: out.address, port: out.port, ipv6: out.family === 'IPv6' })
}

function boundPort(handle: RawHandle): number | undefined {
  const out: { port?: number } = {}
  handle.getsockname?.(out)
  return out.port
}

/** libuv reports a unix socket path in a missing directory as EACCES (as Windows would): undo that. */
function unixBindErrno(errno: number, path: string): number {
  return getSystemErrorName(errno) === 'EACCES' && !existsSync(dirname(path)) ? UV_ENOENT : errno
}

function bindFailure(errno: number, spec: string): BindError {
  const code = getSystemErrorName(errno)
  return new BindError(code, spec, `${code} binding ${spec}`)
}
