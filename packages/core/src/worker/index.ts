export type { WorkerClass, WorkerRuntime, ListenSocket, ListenHandle, StopMode, TimeoutScope } from './types.js'
export type { WorkerMessage, WorkerBoot } from './messages.js'
export { loadWorkerClass, workerClassSpecifier, BUILT_IN_WORKERS } from './resolve-worker-class.js'
