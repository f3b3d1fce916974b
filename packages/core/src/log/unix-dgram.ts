import { realpathSync } from 'node:fs'
import { createRequire } from 'node:module'

export interface UnixDgramSocket {
  send(buffer: Buffer, offset: number, length: number, path: string, callback?: (error?: Error) => void): void
  on(event: 'error', listener: (error: Error) => void): void
  close(): void
}

/**
 * Node has no unix datagram sockets: the optional native dependency `unix-dgram` gives them.
 * Loaded by its real path, so it finds its own dependencies in pnpm's layout.
 */
export function createUnixDgramSocket(): UnixDgramSocket {
  const require = createRequire(import.meta.url)
  let unix: { createSocket(type: 'unix_dgram'): UnixDgramSocket }
  try {
    unix = require(realpathSync(require.resolve('unix-dgram'))) as typeof unix
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND'
    throw new Error(`unix datagram sockets need the optional dependency unix-dgram, which ${missing ? 'is not installed (it builds with node-gyp)' : `failed to load: ${(error as Error).message}`}; use unix://PATH#stream, udp:// or tcp://`)
  }
  return unix.createSocket('unix_dgram')
}
