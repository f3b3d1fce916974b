// The testkit's own vocabulary: a check, what it is given, and what a run reports.
import type { TimeoutScope } from '@gu/core'
import type { GuProcess, StartOptions } from './gu-process.js'

export type { TimeoutScope }

/** What the kit learned about the class under test by importing it. */
export interface ClassInfo {
  /** The absolute file passed to `gu -k`. */
  readonly file: string
  readonly name: string
  readonly sockets: 'inherit' | 'self'
  /** The declared `timeout` scope (`loop` when the class declares none). */
  readonly timeoutScope: TimeoutScope
  /** What the class declares: the `websocket` group runs on `true` (node and fetch apps) and `'fetch'` (the fetch app only). */
  readonly websockets: boolean | 'fetch'
  /** Whether it declares `tls`: the `tls` group checks HTTPS on `true`, and the clear refusal otherwise. */
  readonly tls: boolean
}

/** What every check is given: the class, and a way to start gu with it. */
export interface CheckContext {
  readonly workerClass: ClassInfo
  /** Spawns `gu` with the class under test; it is killed when the check ends, whatever happens. */
  spawn(options?: StartOptions): Promise<GuProcess>
  /** `spawn`, then waits until `workers` workers booted and a request is answered. */
  start(options?: StartOptions): Promise<GuProcess>
  /** A path in this check's scratch directory (removed afterwards); writes `text` there if given. */
  file(name: string, text?: string): string
}

/** One executable clause of the worker contract. */
export interface Check {
  readonly group: string
  readonly name: string
  /** The check fails when it runs longer than this. */
  readonly timeoutMs: number
  /** Run only for classes whose declared `timeout` scope is this one (or one of these). */
  readonly scope?: TimeoutScope | readonly TimeoutScope[]
  /** Run only for classes that declare `websockets` (`true` or `'fetch'`). */
  readonly websockets?: boolean
  /** `serves`: only for classes that declare `tls`; `refuses`: only for those that don't. */
  readonly tls?: 'serves' | 'refuses'
  /** Resolves when the class behaves; throws an Error whose message says what went wrong. */
  run(ctx: CheckContext): Promise<void>
}

export interface CheckResult {
  readonly group: string
  readonly name: string
  readonly ok: boolean
  /** Why it failed, in one line. */
  readonly reason?: string
  /** The output of the gu processes the check started, for a failed check. */
  readonly details?: string
  readonly ms: number
}

export interface TestkitOptions {
  /** A package name, or a relative or absolute path, resolved from `cwd`. */
  workerClass: string
  /** Run only these groups (all by default). */
  only?: readonly string[]
  /** Extra environment for every gu the kit starts (e.g. `GU_SYNC_ACCEPT=copies`). */
  env?: Record<string, string>
  /** Where `workerClass` resolves from; the current directory by default. */
  cwd?: string
  /** Called as each check finishes, in order. */
  onResult?: (result: CheckResult) => void
}

export interface TestkitReport {
  readonly workerClass: ClassInfo
  readonly results: readonly CheckResult[]
  readonly passed: number
  readonly failed: number
  readonly ms: number
}
