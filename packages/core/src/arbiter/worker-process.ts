import { type ChildProcess, spawn } from 'node:child_process'
import type { LogPlan } from '../log/log-plan.js'
import { parseBind } from '../settings/bind-address.js'
import type { PlainSettings } from '../settings/types.js'
import { WORKER_BOOT_ENV, type WorkerBoot } from '../worker/messages.js'
import type { ListenSocket, TlsMaterial } from '../worker/types.js'
import type { ExitReason, RecycleReason, WorkerSnapshot } from './arbiter-events.js'
import type { BoundSocket } from './bound-socket.js'
import { WORKER_ENTRY } from './paths.js'

/** The arbiter's record of one worker process. */
export interface WorkerRecord {
  readonly pid: number
  readonly age: number
  readonly child: ChildProcess
  /** Workers of an older generation are replaced once the new ones have booted (HUP). */
  readonly generation: number
  readonly spawnedAt: number
  lastHeartbeat: number
  booted: boolean
  /** Set once SIGABRT was sent for a timeout: the next check sends SIGKILL. */
  aborted: boolean
  /** Set once the arbiter asked it to stop, so its exit is expected. */
  stopping: boolean
  /** It reached max-requests (or the memory guard's limit) and waits for its replacement to boot before it is sent TERM. */
  retiring: boolean
  recycleReason?: RecycleReason
  /** Its slot on the connection board (-1: none). */
  readonly boardSlot: number
}

/** The connection board a worker posts to: its descriptor here and the slot the worker gets. */
export interface BoardPlace {
  fd: number
  slot: number
}

export function workerSnapshot(w: WorkerRecord, connections: number | undefined): WorkerSnapshot {
  const state = w.stopping ? 'stopping' : w.retiring ? 'retiring' : w.booted ? 'serving' : 'booting'
  return { pid: w.pid, age: w.age, generation: w.generation, spawnedAt: w.spawnedAt, lastHeartbeat: w.lastHeartbeat, state, recycleReason: w.recycleReason, connections }
}

/** Why a worker that has exited went; `crash` when nobody asked it to. */
export function exitReason(w: WorkerRecord): ExitReason {
  if (w.aborted) return 'timeout'
  return w.recycleReason ?? (w.stopping ? 'stopped' : 'crash')
}

// Debugger flags would make every worker fight over the same inspector port.
const INHERITED_EXEC_ARGV = process.execArgv.filter((arg) => !arg.startsWith('--inspect') && !arg.startsWith('--debug'))

/**
 * Spawns a worker: the listening sockets become its descriptors 3.., the IPC channel follows
 * them, and what it needs to boot travels in one environment variable.
 */
export function spawnWorker(
  age: number,
  generation: number,
  settings: PlainSettings,
  log: LogPlan,
  sockets: readonly BoundSocket[],
  selfBinding: boolean,
  board?: BoardPlace,
  tls?: TlsMaterial,
): { child: ChildProcess; record: WorkerRecord | undefined } {
  // A class that binds its own sockets gets every address to bind, and no descriptors.
  const listen: ListenSocket[] = selfBinding
    ? settings.bind.map((spec) => ({ bind: parseBind(spec), fd: -1 }))
    : sockets.map((socket, i) => ({ bind: socket.address, fd: 3 + i }))
  const inheritedFds = selfBinding ? [] : sockets.map((s) => s.fd)
  // The board follows the sockets: descriptor 3 + (number of sockets).
  const seat = board && board.slot >= 0 ? { fd: 3 + inheritedFds.length, slot: board.slot } : undefined
  const boot: WorkerBoot = { age, settings, log, sockets: listen, ...(seat ? { board: seat } : {}), ...(tls ? { tls } : {}) }
  const child = spawn(process.execPath, [...INHERITED_EXEC_ARGV, WORKER_ENTRY], {
    cwd: settings.chdir,
    env: { ...process.env, [WORKER_BOOT_ENV]: JSON.stringify(boot) },
    stdio: ['ignore', 'inherit', 'inherit', ...inheritedFds, ...(seat ? [board!.fd] : []), 'ipc'],
    serialization: 'json',
  })
  // No pid: the spawn failed (the child's 'error' says why), so there is no process to supervise.
  if (child.pid === undefined) return { child, record: undefined }
  const now = Date.now()
  const record = { pid: child.pid, age, child, generation, spawnedAt: now, lastHeartbeat: now, booted: false, aborted: false, stopping: false, retiring: false, boardSlot: seat?.slot ?? -1 }
  return { child, record }
}
