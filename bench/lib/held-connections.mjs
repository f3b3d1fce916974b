// Which process holds each established connection to a port, read from /proc (Linux): the
// spread of keep-alive connections over a server's workers, measured from outside, so every
// server (gu, node:cluster) is counted the same way without its help.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'

const ESTABLISHED = '01'

/** Socket inodes of the established TCP connections whose local port is `port`. */
function establishedInodes(port) {
  const inodes = new Set()
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0')
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text
    try {
      text = readFileSync(table, 'utf8')
    } catch {
      continue
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/)
      if (f.length < 10) continue
      if (f[1].endsWith(`:${hexPort}`) && f[3] === ESTABLISHED) inodes.add(f[9])
    }
  }
  return inodes
}

/** The pids of `pid`'s child processes (a server's workers). */
export function childPids(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
  } catch {
    return []
  }
}

/** Map pid -> number of established connections to `port` it holds, for each pid in `pids`. */
export function heldConnections(pids, port) {
  const inodes = establishedInodes(port)
  const held = new Map()
  for (const pid of pids) {
    let count = 0
    let fds = []
    try {
      fds = readdirSync(`/proc/${pid}/fd`)
    } catch {}
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))
        if (m && inodes.has(m[1])) count++
      } catch {}
    }
    held.set(pid, count)
  }
  return held
}
