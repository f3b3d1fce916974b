import type { PlainSettings } from '../settings/types.js'
import type { ListenSocket } from './types.js'

/** Worker → arbiter, over the IPC channel. */
export type WorkerMessage = { type: 'booted' } | { type: 'heartbeat' }

/** What the arbiter hands a new worker process, in the `GU_WORKER` environment variable. */
export interface WorkerBoot {
  age: number
  settings: PlainSettings
  sockets: ListenSocket[]
}

export const WORKER_BOOT_ENV = 'GU_WORKER'

export function isWorkerMessage(message: unknown): message is WorkerMessage {
  const type = (message as { type?: unknown } | null)?.type
  return type === 'booted' || type === 'heartbeat'
}
