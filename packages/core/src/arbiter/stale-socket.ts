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
  if (await answers(path)) throw new BindError('EADDRINUSE', spec, `${spec} is in use by a running server`)
  rmSync(path, { force: true })
}

/** Whether a server accepts connections on the socket file (refused: nobody listens any more). */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path)
    const settle = (alive: boolean) => {
      socket.destroy()
      resolve(alive)
    }
    socket.once('connect', () => settle(true))
    // EAGAIN: its backlog is full, so it is very much alive.
    socket.once('error', (error: NodeJS.ErrnoException) => settle(error.code === 'EAGAIN'))
    socket.setTimeout(PROBE_MS, () => settle(true))
  })
}
