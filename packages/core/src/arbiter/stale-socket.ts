import { lstatSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { BindError } from './bound-socket.js'

/** How long a connection attempt may take before the socket counts as served (a busy server). */
const PROBE_MS = 1000

/**
 * Before binding `unix:PATH`: a socket file left by a server that died is removed; one a live
 * server answers on is "in use" (EADDRINUSE, retried as for TCP); any other file is an error.
 */
export async function removeStaleSocket(path: string, spec: string): Promise<void> {
  let isSocket: boolean
  try {
    isSocket = lstatSync(path).isSocket()
  } catch {
    return
  }
  if (!isSocket) throw new BindError('EEXIST', spec, `${path} exists and is not a socket`)
  const state = await probe(path)
  if (state === 'served') throw new BindError('EADDRINUSE', spec, `${spec} is in use by a running server`)
  if (state !== 'stale') throw new BindError(state, spec, `${state} probing the socket file ${path}`)
  rmSync(path, { force: true })
}

/**
 * Whether a server accepts connections on the socket file: `stale` when the connection is
 * refused (nobody listens any more) or the file has just gone, `served` when one answers (or is
 * too busy to, with a full backlog or no answer in time), else the error code (EACCES: someone
 * else's socket, which is not ours to remove).
 */
export function probe(path: string): Promise<'stale' | 'served' | string> {
  return new Promise((resolve) => {
    const socket = connect(path)
    const settle = (state: string) => {
      socket.destroy()
      resolve(state)
    }
    socket.once('connect', () => settle('served'))
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? 'EIO'
      settle(code === 'ECONNREFUSED' || code === 'ENOENT' ? 'stale' : code === 'EAGAIN' ? 'served' : code)
    })
    socket.setTimeout(PROBE_MS, () => settle('served'))
  })
}
