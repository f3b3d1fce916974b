import type { RequestView, ResponseView } from '../worker/types.js'
import type { SETTINGS } from './catalog.js'
import type { ValueOf } from './spec.js'

/** One address the server listens on, parsed from a `--bind` value. */
export type BindAddress =
  | { kind: 'tcp'; host: string; port: number; ipv6: boolean }
  | { kind: 'unix'; path: string }
  | { kind: 'fd'; fd: number }

export type LogLevel = PlainSettings['loglevel']
export type AppInterface = PlainSettings['appInterface']

/** What arbiter-side hooks receive. */
export interface ArbiterInfo {
  readonly pid: number
  readonly settings: Settings
  /** The number of workers the arbiter is keeping alive. */
  readonly numWorkers: number
}

/** What worker-side hooks receive, and what arbiter hooks receive about one worker. */
export interface WorkerInfo {
  readonly pid: number
  /** The worker's age: 1 for the first spawned worker, counting up for the arbiter's lifetime. */
  readonly age: number
}

type MaybePromise<T> = T | Promise<T>

/** Server hooks: Gunicorn's, camelCased. Each runs where its Gunicorn namesake runs. */
export interface Hooks {
  onStarting?(arbiter: ArbiterInfo): MaybePromise<void>
  onReload?(arbiter: ArbiterInfo): MaybePromise<void>
  whenReady?(arbiter: ArbiterInfo): MaybePromise<void>
  preFork?(arbiter: ArbiterInfo, worker: WorkerInfo): MaybePromise<void>
  postFork?(arbiter: ArbiterInfo, worker: WorkerInfo): MaybePromise<void>
  postWorkerInit?(worker: WorkerInfo): MaybePromise<void>
  workerInt?(worker: WorkerInfo): MaybePromise<void>
  workerAbort?(worker: WorkerInfo): MaybePromise<void>
  preExec?(arbiter: ArbiterInfo): MaybePromise<void>
  /** Before the app sees a request; `req.native` is the engine's own object (node:http's IncomingMessage). */
  preRequest?(worker: WorkerInfo, req: RequestView): MaybePromise<void>
  /** After its response ended; `res.native` is the engine's own object (node:http's ServerResponse). */
  postRequest?(worker: WorkerInfo, req: RequestView, res: ResponseView): void
  childExit?(arbiter: ArbiterInfo, worker: WorkerInfo & { exitCode: number | null; signal: string | null }): MaybePromise<void>
  workerExit?(worker: WorkerInfo): MaybePromise<void>
  nworkersChanged?(arbiter: ArbiterInfo, newValue: number, oldValue: number | null): MaybePromise<void>
  onExit?(arbiter: ArbiterInfo): MaybePromise<void>
}

export type HookName = keyof Hooks

/**
 * Every setting that can travel as JSON (to workers, into `--print-config`): one key per catalog
 * entry, its value type following from the entry's spec. Documented there, in `catalog.ts`.
 */
export type PlainSettings = { [S in (typeof SETTINGS)[number] as S['key']]: ValueOf<S> }

/** Resolved settings: the plain values plus the hooks a config file defined. */
export interface Settings extends PlainSettings, Hooks {}

/** What a config file may set: any plain setting (except the app's own flags) and any hook. */
export type UserConfig = Partial<Omit<PlainSettings, 'config' | 'checkConfig' | 'printConfig'>> & Hooks
