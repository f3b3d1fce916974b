import type { HookName } from './types.js'

export interface HookSpec {
  readonly name: HookName
  /** Where it runs: the arbiter or the worker process. */
  readonly runsIn: 'arbiter' | 'worker'
  readonly signature: string
  readonly description: string
}

/** Every server hook, documented once (Gunicorn's server hooks, camelCased). */
export const HOOKS: readonly HookSpec[] = [
  { name: 'onStarting', runsIn: 'arbiter', signature: '(arbiter)', description: 'Before the arbiter binds its sockets; awaited, with no limit (nothing is served yet).' },
  { name: 'onReload', runsIn: 'arbiter', signature: '(arbiter)', description: 'When the arbiter reloads (HUP), before the new workers start; awaited, with no limit (the old workers serve meanwhile).' },
  { name: 'whenReady', runsIn: 'arbiter', signature: '(arbiter)', description: 'Once the first generation of workers has booted and is serving; not awaited (the arbiter supervises on).' },
  { name: 'preFork', runsIn: 'arbiter', signature: '(arbiter, worker)', description: 'Just before a worker process is spawned; awaited, with no limit (the spawn waits for it).' },
  { name: 'postFork', runsIn: 'worker', signature: '(arbiter, worker)', description: 'In the new worker process, before it loads the app; awaited, with no limit.' },
  { name: 'postWorkerInit', runsIn: 'worker', signature: '(worker)', description: 'In the worker, after the app is loaded (and its `startup` awaited) and before it serves; awaited, with no limit.' },
  { name: 'workerInt', runsIn: 'worker', signature: '(worker)', description: 'In the worker, when it gets INT or QUIT (a quick stop); awaited for up to `--graceful-timeout`, then the worker exits.' },
  { name: 'workerAbort', runsIn: 'worker', signature: '(worker)', description: 'In the worker, when it gets SIGABRT (usually a timeout). A worker whose event loop is blocked cannot run JavaScript, so this runs only if the loop still turns; awaited for up to 1 s, since the arbiter SIGKILLs the worker at its next check (within 1 s, sooner for a `--timeout` under 4 s).' },
  { name: 'preExec', runsIn: 'arbiter', signature: '(arbiter)', description: 'Before a new arbiter is started for an in-place upgrade (USR2); awaited, with no limit.' },
  { name: 'preRequest', runsIn: 'worker', signature: '(worker, req)', description: 'Before the app sees a request; may be async. `req` is the same view on every worker class: `method`, `url`, `httpVersion`, `headers`, `remoteAddress`, `scheme`, and `native` (node:http\'s `IncomingMessage` on node:http engines). Awaited before the app is called; its only limit is the request\'s own (`--timeout` under the sync class).' },
  { name: 'postRequest', runsIn: 'worker', signature: '(worker, req, res)', description: 'After the response has ended. `res`: `statusCode`, `bytes`, `getHeader(name)`, `aborted` (the client went away), and `native` (node:http\'s `ServerResponse` on node:http engines). Synchronous: it runs on every response, and a promise it returns is not awaited.' },
  { name: 'childExit', runsIn: 'arbiter', signature: '(arbiter, worker)', description: 'After a worker process has exited; `worker.exitCode` and `worker.signal` say how. Not awaited.' },
  { name: 'workerExit', runsIn: 'worker', signature: '(worker)', description: 'In the worker, just before it exits after a stop (after the app\'s own `shutdown`); awaited within what is left of `--graceful-timeout`.' },
  { name: 'nworkersChanged', runsIn: 'arbiter', signature: '(arbiter, newValue, oldValue)', description: 'When the number of workers changes (start, TTIN, TTOU); `oldValue` is null the first time. Awaited, with no limit.' },
  { name: 'onExit', runsIn: 'arbiter', signature: '(arbiter)', description: 'Just before the arbiter exits; awaited for up to `--graceful-timeout`.' },
]

export const HOOK_NAMES: ReadonlySet<string> = new Set(HOOKS.map((h) => h.name))
