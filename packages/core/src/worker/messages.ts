import type { LogCounts } from '../log/log-counts.js'
import type { LogPlan } from '../log/log-plan.js'
import type { PlainSettings } from '../settings/types.js'
import type { BoardSeat } from './connection-board.js'
import type { ListenSocket } from './types.js'

// Worker → arbiter, over the IPC channel: one interface per message, the check derived from one list.

/** The worker serves: every socket listens. Counts as a heartbeat. */
export interface BootedMessage {
  type: 'booted'
}

/** Liveness: the only message, with `booted`, that keeps a worker from timing out. */
export interface HeartbeatMessage {
  type: 'heartbeat'
}

/** Asks for `count` fresh descriptors of every listening socket (see `WorkerRuntime.takeSocketCopy`). */
export interface SocketCopiesMessage {
  type: 'socket-copies'
  count: number
}

/** With `--reload`: files the worker loaded and has not reported before (absolute paths), to watch. */
export interface LoadedFilesMessage {
  type: 'loaded-files'
  files: string[]
}

/**
 * The worker reached `--max-requests`: the arbiter starts its replacement now, not after it exits.
 * A worker of a class that binds its own sockets serves on until the arbiter sends it TERM, once
 * the replacement has booted, so its port never goes without a listener.
 */
export interface RetiringMessage {
  type: 'retiring'
}

/**
 * What the worker has done, sent once a second beside the heartbeat (never per request). Counters
 * are totals since the worker started, so a lost message loses nothing; gauges are as of now.
 * New fields may join (per-worker connection counts, …): readers ignore what they don't know.
 */
export interface StatsMessage {
  type: 'stats'
  /** Requests that ended (a response, or an aborted one). */
  requests: number
  inFlight: number
  /** Resident set size and V8 heap in use, in bytes. */
  rss: number
  heapUsed: number
  /** CPU time used (user + system), in microseconds. */
  cpuMicros: number
  /** How late the last stats timer fired: the event loop's lag, in milliseconds. */
  loopLagMs: number
  /** Ended requests by method (unusual ones as `OTHER`), then status code: `{ GET: { 200: 9 } }`. */
  counts: Record<string, Record<string, number>>
  /** With metrics or statsd on: durations in seconds, counted into `DURATION_BUCKETS` (cumulative). */
  durations?: { counts: number[]; sum: number }
  /** With statsd on: durations in ms since the last message, at most `DURATION_SAMPLES` (sampled at `sampleRate`). */
  samples?: { ms: number[]; sampleRate: number }
  /** With statsd on: the worker's warning, error, critical and exception log calls, totals. */
  logs?: LogCounts
}

/** Answers a `collect-app-metrics` request: the app's prom-client default registry, as JSON. */
export interface AppMetricsMessage {
  type: 'app-metrics'
  id: number
  metrics: unknown[]
}

export type WorkerMessage = BootedMessage | HeartbeatMessage | SocketCopiesMessage | LoadedFilesMessage | RetiringMessage | StatsMessage | AppMetricsMessage

// A record, not an array: a message type left out of it fails to compile.
const WORKER_MESSAGE_TYPES: Record<WorkerMessage['type'], true> = {
  booted: true,
  heartbeat: true,
  'socket-copies': true,
  'loaded-files': true,
  retiring: true,
  stats: true,
  'app-metrics': true,
}
const KNOWN = new Set<string>(Object.keys(WORKER_MESSAGE_TYPES))
/** The messages that prove a worker alive; anything else (metrics, files) says nothing about its loop. */
const LIVENESS = new Set<string>(['booted', 'heartbeat'] satisfies WorkerMessage['type'][])

export function isWorkerMessage(message: unknown): message is WorkerMessage {
  const type = (message as { type?: unknown } | null)?.type
  return typeof type === 'string' && KNOWN.has(type)
}

export function isLivenessMessage(message: WorkerMessage): message is BootedMessage | HeartbeatMessage {
  return LIVENESS.has(message.type)
}

/** Arbiter → worker: one fresh descriptor of listening socket `index` travels with this message. */
export interface SocketCopyMessage {
  type: 'socket-copy'
  index: number
}

/** Arbiter → worker: send the app's own prom-client metrics (a scrape of `--metrics-bind`). */
export interface CollectAppMetricsMessage {
  type: 'collect-app-metrics'
  id: number
}

export function isCollectAppMetricsMessage(message: unknown): message is CollectAppMetricsMessage {
  return (message as { type?: unknown } | null)?.type === 'collect-app-metrics'
}

export function isSocketCopyMessage(message: unknown): message is SocketCopyMessage {
  return (message as { type?: unknown } | null)?.type === 'socket-copy'
}

/** What the arbiter hands a new worker process, in the `GU_WORKER` environment variable. */
export interface WorkerBoot {
  age: number
  settings: PlainSettings
  /** Both logs, as the arbiter resolved them (settings and `--log-config`). */
  log: LogPlan
  sockets: ListenSocket[]
  /** The connection board's inherited descriptor and this worker's slot (see `connection-board.ts`). */
  board?: BoardSeat
}

export const WORKER_BOOT_ENV = 'GU_WORKER'
