import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { parseBind } from '../settings/bind-address.js'
import { UsageError } from '../settings/errors.js'
import { LAUNCH_DIR } from '../settings/launch-dir.js'
import { INHERITED_FDS_ENV, parseHandedOver } from '../settings/handed-over.js'
import { ACTIVATED_ENV } from '../settings/socket-activation.js'
import { type BoundSocket, adoptDescriptor } from './bound-socket.js'

/**
 * USR2, the in-place upgrade (Gunicorn's reexec): the arbiter starts a new arbiter from its own
 * command line and hands it the listening sockets as descriptors 3.., with `GU_FDS` saying which
 * configured address each descriptor is, as JSON: `{"127.0.0.1:8000":3,"unix:/run/app.sock":4}`.
 * `GU_PARENT_PID` names the old arbiter, so the new one knows when it is the only one left.
 * When the old arbiter serves sockets systemd activated, they travel as `{"fd://3":3}` with
 * `GU_ACTIVATED=1`, and replace the new arbiter's binds (see `takeSocketActivation`).
 */
export const UPGRADE_PARENT_ENV = 'GU_PARENT_PID'


/**
 * Starts the new arbiter: same node, node flags, script and arguments, same directory and
 * environment (plus the systemd notification socket this arbiter took out of it, if any). It
 * runs in its own session, so neither the old arbiter exiting nor a signal sent to the old
 * arbiter's process group stops it, and nothing here waits for it.
 */
export function spawnNewArbiter(sockets: readonly BoundSocket[], activated = false, notifySocket?: string): ChildProcess {
  const fds: Record<string, number> = {}
  // Activated sockets are named by the descriptor the new arbiter gets them as: they replace its binds.
  sockets.forEach((socket, i) => (fds[activated ? `fd://${3 + i}` : socket.spec] = 3 + i))
  const env: NodeJS.ProcessEnv = { ...process.env, [INHERITED_FDS_ENV]: JSON.stringify(fds), [UPGRADE_PARENT_ENV]: String(process.pid) }
  if (activated) env[ACTIVATED_ENV] = '1'
  // Under systemd the new arbiter reports READY=1 with MAINPID= itself, so systemd follows it once
  // the old arbiter exits (the unit needs NotifyAccess=all for that; see docs/deploy.md).
  if (notifySocket) env.NOTIFY_SOCKET = notifySocket
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    cwd: LAUNCH_DIR,
    env,
    stdio: ['inherit', 'inherit', 'inherit', ...sockets.map((s) => s.fd)],
    detached: true,
  })
  child.unref()
  return child
}

export interface Inheritance {
  /** The old arbiter, while this one was started by USR2. */
  parentPid: number | undefined
  sockets: BoundSocket[]
}

/** Takes (and removes from the environment) the sockets an old arbiter handed over. */
export function takeInheritedSockets(env: NodeJS.ProcessEnv = process.env): Inheritance {
  const handedOver = parseHandedOver(env[INHERITED_FDS_ENV])
  const parent = Number(env[UPGRADE_PARENT_ENV])
  delete env[INHERITED_FDS_ENV]
  delete env[UPGRADE_PARENT_ENV]
  const parentPid = Number.isSafeInteger(parent) && parent > 1 ? parent : undefined
  const sockets = [...(handedOver ?? [])].map(([spec, fd]) => adoptSocket(spec, fd))
  return { parentPid, sockets }
}

/** Adopts a handed-over descriptor as the socket for the configured address `spec`. */
function adoptSocket(spec: string, fd: number): BoundSocket {
  try {
    return adoptDescriptor(spec, parseBind(spec), fd)
  } catch (error) {
    throw new UsageError(`${INHERITED_FDS_ENV}: can't adopt descriptor ${fd} for ${spec}: ${(error as Error).message}`)
  }
}

/**
 * Closes a socket the arbiter no longer needs. While another arbiter shares the sockets (an
 * upgrade in flight), a unix socket's file must stay: that arbiter still serves it. libuv unlinks
 * the file when it closes a pipe it bound itself, so such a socket is left open instead, and its
 * descriptor goes when this process exits (which is when this is called, bar a HUP dropping the
 * address mid-upgrade).
 */
export function releaseSocket(socket: BoundSocket, shared: boolean): void {
  if (shared && socket.address.kind === 'unix') return
  socket.close()
}

/**
 * Whether `pid` is still our old arbiter: still our parent (Linux reparents us the moment it
 * exits, even while it is an unreaped zombie), or, without /proc, a process that exists.
 * (`process.ppid` is read once at start, so it can't tell.)
 */
export function isParentAlive(pid: number): boolean {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8')
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
    return ppid === pid
  } catch {
    try {
      process.kill(pid, 0)
      return true
    } catch {
      return false
    }
  }
}
