import { compileAccessFormat } from '../log/access-format.js'
import { formatBind, parseBind } from './bind-address.js'
import { LAUNCH_DIR } from './launch-dir.js'
import { setting, type SettingSpec } from './spec.js'
import type { BindAddress, PlainSettings } from './types.js'

const GUNICORN_ACCESS_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"'

function envInt(raw: string | undefined, fallback: number): number {
  const n = Number(raw)
  return raw && Number.isInteger(n) && n > 0 ? n : fallback
}

function checkBinds(values: string[]): string | undefined {
  const seen = new Map<string, string>()
  for (const value of values) {
    let address: BindAddress
    try {
      address = parseBind(value)
    } catch (error) {
      return (error as Error).message
    }
    // The same address twice can't be bound twice (port 0 asks for a new port each time: fine).
    if (address.kind === 'tcp' && address.port === 0) continue
    const key = formatBind(address)
    const first = seen.get(key)
    if (first !== undefined) return `'${value}' is the same address as '${first}'; give each address once`
    seen.set(key, value)
  }
  return values.length === 0 ? 'at least one address is needed' : undefined
}

/** Every plain setting, documented once; `docs/settings.md` is generated from this list. */
export const SETTINGS = [
  setting({
    key: 'config', section: 'Config', flags: ['-c', '--config'], meta: 'CONFIG', kind: 'string', nullable: true,
    default: () => null, defaultDoc: '`gu.config.{ts,mts,js,mjs,cjs}` in the working directory, if there is one',
    description: 'The config file to load. Its default export (typed with `defineConfig` from `@gu/core`) sets any setting below by its camelCase key, and the server hooks.',
  }),
  setting({
    key: 'checkConfig', section: 'Config', flags: ['--check-config'], kind: 'bool', default: () => false,
    description: 'Load the settings and the app, then exit: 0 when both are sound, 1 (with the reason) when not.',
  }),
  setting({
    key: 'printConfig', section: 'Config', flags: ['--print-config'], kind: 'bool', default: () => false,
    description: 'Print the resolved settings as JSON and exit.',
  }),
  setting({
    key: 'bind', section: 'Server socket', flags: ['-b', '--bind'], meta: 'ADDRESS', kind: 'list',
    default: (env) => [env.PORT ? `0.0.0.0:${env.PORT}` : '127.0.0.1:8000'],
    defaultDoc: "`['127.0.0.1:8000']`, or `['0.0.0.0:$PORT']` when `PORT` is set",
    check: checkBinds,
    description: 'An address to listen on, repeatable: `HOST`, `HOST:PORT`, `[IPv6]:PORT`, `unix:PATH` or `fd://N` (a listening socket inherited as descriptor N).',
  }),
  setting({
    key: 'backlog', section: 'Server socket', flags: ['--backlog'], meta: 'INT', kind: 'int', min: 1, default: () => 2048,
    description: 'The most pending connections the kernel queues on each listening socket.',
  }),
  setting({
    key: 'reusePort', section: 'Server socket', flags: ['--reuse-port'], kind: 'bool', default: () => false,
    description:
      "Set SO_REUSEPORT on the TCP sockets the arbiter binds (Linux), as Gunicorn's `--reuse-port`: other processes of the same user that set it too (another gu, a blue/green deploy, a `-k uws` server) can then bind the same address, and the kernel spreads new connections between the sockets by a hash of each connection's addresses. Within one gu, workers keep sharing the arbiter's socket and spread connections evenly by balanced accept, which needs no SO_REUSEPORT. Trade-offs: any process of the same user can start taking a share of your connections, so a stale server left running keeps serving; the hash spread is uneven per burst; a socket that closes resets the connections queued on it. Needs @gu/core's native addon. Applies to sockets bound afterwards (a HUP keeps open sockets as they are).",
  }),
  setting({
    key: 'workers', section: 'Worker processes', flags: ['-w', '--workers'], meta: 'INT', kind: 'int', min: 1,
    default: (env) => envInt(env.WEB_CONCURRENCY, 1), defaultDoc: '`$WEB_CONCURRENCY`, or 1',
    description: 'How many worker processes serve requests. Two to four per core is a usual start.',
  }),
  setting({
    key: 'workerClass', section: 'Worker processes', flags: ['-k', '--worker-class'], meta: 'CLASS', kind: 'string', default: () => 'sync',
    description: 'How each worker runs the app: `sync`, `async`, `threads` or `uws` (the package `@gu/worker-<name>`, installed beside the app), or the import specifier of any module whose default export fits the worker contract.',
  }),
  setting({
    key: 'workerConnections', section: 'Worker processes', flags: ['--worker-connections'], meta: 'INT', kind: 'int', min: 1, default: () => 1000,
    description: 'The most simultaneous client connections one worker holds (async-style workers). Past it, that worker takes no new connections: they wait in the kernel queue for a worker with room (async and threads), as in Gunicorn.',
  }),
  setting({
    key: 'threads', section: 'Worker processes', flags: ['--threads'], meta: 'INT', kind: 'int', min: 1, nullable: true, default: () => null,
    defaultDoc: 'chosen by the worker class (`threads`: the cores shared among `--workers`, at least 2)',
    description: 'Threads per worker process, for classes that run the app in threads (`threads`, Gunicorn\'s gthread): how many requests one worker runs at once. Module state is per thread.',
  }),
  setting({
    key: 'threadQueue', section: 'Worker processes', flags: ['--thread-queue'], meta: 'INT', kind: 'int', min: 0, nullable: true, default: () => null,
    defaultDoc: '32 × `threads`',
    description: 'How many requests a `threads` worker queues while every thread is busy; past it a request gets 503 with `Retry-After`. 0 refuses whenever every thread is busy.',
  }),
  setting({
    key: 'maxRequests', section: 'Worker processes', flags: ['--max-requests'], meta: 'INT', kind: 'int', min: 0, default: () => 0,
    description: 'Restart a worker gracefully after it has served this many requests, to bound slow leaks. 0 disables.',
  }),
  setting({
    key: 'maxRequestsJitter', section: 'Worker processes', flags: ['--max-requests-jitter'], meta: 'INT', kind: 'int', min: 0, default: () => 0,
    description: 'Add a random 0..N to each worker\'s `maxRequests`, so workers do not all restart at once.',
  }),
  setting({
    key: 'timeout', section: 'Worker processes', flags: ['-t', '--timeout'], meta: 'SECONDS', kind: 'number', min: 0, default: () => 30,
    description: 'A worker silent for this long is killed (SIGABRT, then SIGKILL) and replaced. For `async` it is a liveness heartbeat: a worker whose event loop is blocked goes silent. For `sync` it limits each request: a request running longer is cut and named in the log. For `threads` it limits each request too, but only the thread running it is cut (504) and the process lives. 0 disables.',
  }),
  setting({
    key: 'gracefulTimeout', section: 'Worker processes', flags: ['--graceful-timeout'], meta: 'SECONDS', kind: 'number', min: 0, default: () => 30,
    description: 'On a graceful stop, how long workers may finish in-flight requests before they are killed.',
  }),
  setting({
    key: 'keepalive', section: 'Worker processes', flags: ['--keep-alive'], meta: 'SECONDS', kind: 'number', min: 0, default: () => 2,
    description: 'How long an idle keep-alive connection waits for its next request. 0 closes every connection after its response.',
  }),
  setting({
    key: 'pidfile', section: 'Server mechanics', flags: ['-p', '--pidfile'], meta: 'FILE', kind: 'string', nullable: true, default: () => null,
    description: 'Write the arbiter\'s PID to this file at start; remove it at exit.',
  }),
  setting({
    key: 'rawEnv', section: 'Server mechanics', flags: ['-e', '--env'], meta: 'KEY=VALUE', kind: 'list', default: () => [],
    check: (values) => {
      const bad = values.find((v) => !/^[^=]+=/.test(v))
      return bad === undefined ? undefined : `'${bad}' is not KEY=VALUE`
    },
    description: 'Set an environment variable for the arbiter and its workers, repeatable.',
  }),
  setting({
    key: 'chdir', section: 'Server mechanics', flags: ['--chdir'], meta: 'DIR', kind: 'string', default: () => LAUNCH_DIR, defaultDoc: 'the working directory',
    description: 'Change to this directory before loading the app; the app module and worker classes resolve from here.',
  }),
  setting({
    key: 'procName', section: 'Server mechanics', flags: ['-n', '--name'], meta: 'NAME', kind: 'string', nullable: true, default: () => null,
    description: 'The name in process titles: `gu: master [NAME]`, `gu: worker [NAME]`. Defaults to the app module.',
  }),
  setting({
    key: 'preloadApp', section: 'Server mechanics', flags: ['--preload'], kind: 'bool', default: () => false,
    description: 'Load the app in the arbiter before starting workers, so a broken app stops the start. Node cannot fork a loaded process, so each worker still loads its own copy.',
  }),
  setting({
    key: 'appInterface', section: 'Server mechanics', flags: ['--app-interface'], meta: 'KIND', kind: 'choice', choices: ['auto', 'node', 'fetch'], default: () => 'auto',
    description: 'How to call the app: `node` — a `(req, res)` listener (Express, Koa\'s `callback()`, Fastify); `fetch` — `(Request) => Response` or an object with `fetch` (Hono). `auto` detects it.',
  }),
  setting({
    key: 'loglevel', section: 'Logging', flags: ['--log-level'], meta: 'LEVEL', kind: 'choice', choices: ['debug', 'info', 'warning', 'error', 'critical'], default: () => 'info',
    description: 'The least severe error-log entry to write. `debug` also prints stack traces with error messages.',
  }),
  setting({
    key: 'errorlog', section: 'Logging', flags: ['--error-logfile'], meta: 'FILE', kind: 'string', default: () => '-',
    description: 'Where the error log goes; `-` is standard error. Reopened on USR1.',
  }),
  setting({
    key: 'accesslog', section: 'Logging', flags: ['--access-logfile'], meta: 'FILE', kind: 'string', nullable: true, default: () => null,
    description: 'Where the access log goes; `-` is standard output. Off unless set. Reopened on USR1.',
  }),
  setting({
    key: 'accessLogFormat', section: 'Logging', flags: ['--access-logformat'], meta: 'FORMAT', kind: 'string', default: () => GUNICORN_ACCESS_FORMAT,
    check: (format) => {
      try {
        compileAccessFormat(format)
        return undefined
      } catch (error) {
        return (error as Error).message
      }
    },
    description: 'The access log line, in Gunicorn\'s atoms: `h l u t r m U q H s B b f a T M D L p {header}i {header}o {var}e`, written as `%(atom)s`.',
  }),
  setting({
    key: 'reload', section: 'Debugging', flags: ['--reload'], kind: 'bool', default: () => false,
    description: 'Restart the workers when the app\'s code changes: every file the workers loaded (outside `node_modules`) and the `reloadExtraFiles` are watched, and a change starts a new generation of workers as `HUP` does. A change that doesn\'t load (a syntax error) is logged and the old workers keep serving until the next change. For development.',
  }),
  setting({
    key: 'reloadExtraFiles', section: 'Debugging', flags: ['--reload-extra-file'], meta: 'FILE', kind: 'list', default: () => [],
    description: 'With `--reload`, also watch these files, repeatable: a path or a glob (`*`, `**`, `?`) relative to `chdir`, such as `config/*.json` or `views/**/*.html` — files the app reads rather than imports.',
  }),
  setting({
    key: 'app', section: 'App', flags: [], meta: 'APP_MODULE', kind: 'string', nullable: true, default: () => null,
    description: 'The app to serve, the positional argument: `module:export`, `module` (its default export) or `module:factory(args)`; a path or a package name, `.js`, `.mjs`, `.cjs` or `.ts`.',
  }),
] as const satisfies readonly SettingSpec[]

export const SETTINGS_BY_KEY = new Map<string, SettingSpec>(SETTINGS.map((s) => [s.key, s]))

/** One value per setting, in catalog order: the one place entries become `PlainSettings`. */
export function eachSetting(value: (spec: (typeof SETTINGS)[number]) => PlainSettings[keyof PlainSettings]): PlainSettings {
  return Object.fromEntries(SETTINGS.map((spec) => [spec.key, value(spec)])) as PlainSettings
}

export function defaultSettings(env: NodeJS.ProcessEnv): PlainSettings {
  return eachSetting((spec) => spec.default(env))
}
