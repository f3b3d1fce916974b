import type { PlainSettings } from '../settings/types.js'
import type { ListenSocket } from './types.js'

/**
 * Worker → arbiter, over the IPC channel. `socket-copies` asks for `count` fresh descriptors of
 * every listening socket (see `WorkerRuntime.takeSocketCopy`). With `--reload`, `loaded-files`
 * names files the worker loaded that it has not reported before (absolute paths), for the
 * arbiter to watch.
 */
export type WorkerMessage =
  | { type: 'booted' }
  | { type: 'heartbeat' }
  | { type: 'socket-copies'; count: number }
  | { type: 'loaded-files'; files: string[] }

/** Arbiter → worker: one fresh descriptor of listening socket `index` travels with this message. */
export interface SocketCopyMessage {
  type: 'socket-copy'
  index: number
}

/** What the arbiter hands a new worker process, in the `GU_WORKER` environment variable. */
export interface WorkerBoot {
  age: number
  settings: PlainSettings
  sockets: ListenSocket[]
}

export const WORKER_BOOT_ENV = 'GU_WORKER'

export function isWorkerMessage(message: unknown): message is WorkerMessage {
  const type = (message as { type?: unknown } | null)?.type
  return type === 'booted' || type === 'heartbeat' || type === 'socket-copies' || type === 'loaded-files'
}

export function isSocketCopyMessage(message: unknown): message is SocketCopyMessage {
  return (message as { type?: unknown } | null)?.type === 'socket-copy'
}
