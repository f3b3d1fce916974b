import { compileAccessFormat } from '../log/access-format.js'
import { checkAllowIps } from '../http/forwarded.js'
import { parseSyslogAddress } from '../log/syslog-address.js'
import { parseStatsdAddress } from '../metrics/statsd-address.js'
import { SYSLOG_FACILITIES, SYSLOG_FORMATS } from '../log/syslog-frame.js'
import { formatBind, parseBind } from './bind-address.js'
import { LAUNCH_DIR } from './launch-dir.js'
import { parseSize } from './size.js'
import { setting, type SettingSpec } from './spec.js'
import { TLS_SETTINGS } from './catalog-tls.js'
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

function checkMetricsBind(value: string | null): string | undefined {
  if (value === null) return undefined
  try {
    if (parseBind(value).kind !== 'fd') return undefined
  } catch (error) {
    return (error as Error).message
  }
  return `'${value}' is not HOST:PORT or unix:PATH`
}

function checkStatsdHost(value: string | null): string | undefined {
  if (value === null) return undefined
  try {
    parseStatsdAddress(value)
    return undefined
  } catch (error) {
    return (error as Error).message
  }
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
    description: 'The most pending connections the kernel queues on each listening socket (the kernel caps it at `net.core.somaxconn`). It applies to every socket gu serves, inherited ones too (`fd://N`, systemd\'s, where it overrides the unit\'s `Backlog=`, as Gunicorn\'s does), and a HUP or USR2 with a new value applies it. `uws` workers bind their own sockets, with uSockets\' fixed 512.',
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
    key: 'workerConnections', section: 'Worker processes', flags: ['--worker-connections'], meta: 'INT', kind: 'int', min: 1, default: () => 10_000,
    description: 'The most simultaneous client connections one worker holds (classes that hold many: `async`, `threads`), and at most the open-files limit less 64 (a descriptor each). At the cap, a new client gets in by shedding a connection that has no request in the app: an idle keep-alive one first (longest idle), else the one that has sent nothing for longest, which gets 408. Only when every connection has a request in the app is the new one refused. Gunicorn\'s default is 1000; gu\'s is 10,000 because a slowloris flood larger than the cap can\'t be outlasted by shedding: every connection shed reconnects, so the ones past the cap wait in the accept queue, and a real client waits behind them (docs/benchmarks.md, "Slow clients"). A held connection costs the worker about 10 kB (14 kB with a body arriving).',
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
    key: 'limitRequestLine', section: 'Security', flags: ['--limit-request-line'], meta: 'INT', kind: 'int', min: 0, default: () => 4094,
    description: 'The longest request line accepted, in bytes (method, target and version, without the CRLF); a longer one is answered `414 URI Too Long`. `0` means no limit of gu\'s own (the whole head still has to fit the header limits below).',
  }),
  setting({
    key: 'limitRequestFields', section: 'Security', flags: ['--limit-request-fields'], meta: 'INT', kind: 'int', min: 0, default: () => 100,
    description: 'The most header fields a request may carry; more is answered `431 Request Header Fields Too Large` before the app sees anything (never truncated). `0` means no limit.',
  }),
  setting({
    key: 'limitRequestFieldSize', section: 'Security', flags: ['--limit-request-field-size'], meta: 'INT', kind: 'int', min: 0, default: () => 8190,
    description: 'The largest header field accepted, in bytes, counted as `Name: value`; larger is answered `431`. `0` means no limit of gu\'s own. node:http\'s parser also holds the whole head to the request line and four fields of this size (at least 16 KiB; 1 MiB when `limitRequestFields` is 0), so a flood of huge heads stays cheap: a larger head is a `431` too.',
  }),
  setting({
    key: 'limitRequestBody', section: 'Security', flags: ['--limit-request-body'], meta: 'BYTES', kind: 'int', min: 0, default: () => 0,
    description: 'The largest request body accepted, in bytes; `0` (the default, as Gunicorn) means no limit. A `Content-Length` over it is answered `413 Content Too Large` before the app sees the request (and before `100 Continue` when the client asked for it); a chunked body that grows past it is cut there, answered `413` if the response hasn\'t started, and the connection closed.',
  }),
  setting({
    key: 'headerMap', section: 'Security', flags: ['--header-map'], meta: 'MODE', kind: 'choice', choices: ['drop', 'refuse', 'dangerous'], default: () => 'drop',
    description: 'What happens to request header names that contain `_`, which a proxy in front may not check and an app may read as the `-` name (`X_Forwarded_For` as `X-Forwarded-For`), as Gunicorn\'s `header_map`: `drop` removes them before the app sees the request, `refuse` answers `400`, `dangerous` passes them on.',
  }),
  setting({
    key: 'forwardedAllowIps', section: 'Security', flags: ['--forwarded-allow-ips'], meta: 'ADDRESSES', kind: 'string',
    default: (env) => env.FORWARDED_ALLOW_IPS ?? '127.0.0.1,::1', defaultDoc: '`127.0.0.1,::1`, or `$FORWARDED_ALLOW_IPS`',
    check: (text) => checkAllowIps(text),
    description: 'The proxies whose forwarding headers are believed, comma-separated: addresses, CIDR ranges (`10.0.0.0/8`, `fd00::/8`) or `*` for any (only when nothing but the proxy can reach gu). From these peers, the client\'s address comes from `X-Forwarded-For` (the nearest address that is not itself a listed proxy), or `Forwarded`\'s `for=` without it, and the scheme from `secureSchemeHeaders`, or `Forwarded`\'s `proto=`. That client is what the access log\'s `%(h)s`, hooks, and fetch apps (`requestIP()`, `Request.url`\'s scheme) see. Node apps see the connection as it is (`req.socket.remoteAddress` is the proxy) with the headers intact: Express\'s `trust proxy` decides `req.ip` and `req.protocol` itself.',
  }),
  setting({
    key: 'secureSchemeHeaders', section: 'Security', flags: ['--secure-scheme-headers'], meta: 'HEADER=VALUE', kind: 'list',
    default: () => ['X-Forwarded-Protocol=ssl', 'X-Forwarded-Proto=https', 'X-Forwarded-Ssl=on'],
    defaultDoc: '`X-Forwarded-Protocol=ssl`, `X-Forwarded-Proto=https`, `X-Forwarded-Ssl=on` (Gunicorn\'s)',
    check: (values) => {
      const bad = values.find((v) => !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+=.+/.test(v))
      return bad === undefined ? undefined : `'${bad}' is not HEADER=VALUE`
    },
    description: 'Headers a trusted proxy (`forwardedAllowIps`) uses to say the client spoke https, each `HEADER=VALUE` (case-insensitive), repeatable; giving any replaces the default list. The first of them present decides: its value means https, any other value http.',
  }),
  setting({
    key: 'proxyProtocol', section: 'Security', flags: ['--proxy-protocol'], kind: 'bool', default: () => false,
    description: 'Read a PROXY protocol header (v1 or v2, as HAProxy, AWS NLB and others send) at the start of each connection from a `proxyAllowFrom` address: its client address and port become the connection\'s (`req.socket.remoteAddress` too, the access log, fetch apps). A connection without one is served as it is; a PROXY header from any other address is refused with `403`. On the node:http classes; `-k uws` refuses to start with it.',
  }),
  setting({
    key: 'proxyAllowFrom', section: 'Security', flags: ['--proxy-allow-from'], meta: 'ADDRESSES', kind: 'string', default: () => '127.0.0.1,::1',
    check: (text) => checkAllowIps(text),
    description: 'The addresses allowed to send a PROXY protocol header (`proxyProtocol`), comma-separated: addresses, CIDR ranges or `*`, as Gunicorn\'s `proxy_allow_ips`.',
  }),
  ...TLS_SETTINGS,
  setting({
    key: 'headerTimeout', section: 'Slow clients', flags: ['--header-timeout'], meta: 'SECONDS', kind: 'number', min: 0, default: () => 10,
    description: 'How long a client may take to send a request\'s head (request line and headers), from its connection, or on a kept-alive connection from the first byte of its next request. Past it the client gets 408 and the connection is closed; the worker serves on. Checked on every class that can (four times per timeout, at most once a second). 0 disables.',
  }),
  setting({
    key: 'bodyTimeout', section: 'Slow clients', flags: ['--body-timeout'], meta: 'SECONDS', kind: 'number', min: 0, default: () => 10,
    description: 'The window over which a request body\'s upload rate is measured: a body that brings fewer than `minBodyRate` bytes a second over a window of this many seconds gets 408 and its connection closed. Time in which the app leaves received bytes unread does not count (the client is not the slow one then). While a body arrives fast enough, `--timeout` does not run for `sync` (it is the app\'s time). 0 disables.',
  }),
  setting({
    key: 'minBodyRate', section: 'Slow clients', flags: ['--min-body-rate'], meta: 'BYTES', kind: 'int', min: 0, default: () => 500,
    description: 'The slowest upload, in bytes per second over each `bodyTimeout` window, that a request body may arrive at. 0: only a body that sends nothing for a whole window is cut.',
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
    key: 'logConfig', section: 'Logging', flags: ['--log-config'], meta: 'FILE', kind: 'string', nullable: true, default: () => null,
    description: 'A logging configuration for both logs, as Gunicorn\'s `--log-config-json`/`logconfig_dict`: a `.json` file, or a `.js`/`.mjs`/`.cjs` file whose default export is the same object: `{"error": {"level": "info", "format": "json", "to": "-"}, "access": {"format": "json", "to": "-", "template": "…"}}`. `format` is `text` or `json`; `to` is `-` (the log\'s standard stream: stderr for the error log, stdout for the access log), `stdout`, `stderr`, a file path (relative to `chdir`), or a list of those; `level` is one of `debug info warning error critical`; `template` is the access line in `--access-logformat` atoms. As in Gunicorn, what the file sets overrides the other logging settings (`--log-level`, `--log-format`, `--error-logfile`, `--access-logfile`, `--access-logformat`); what it leaves out comes from them. An `access` section turns the access log on. Unknown keys and bad values stop the start with an error naming the key. Re-read on HUP.',
  }),
  setting({
    key: 'logFormat', section: 'Logging', flags: ['--log-format'], meta: 'FORMAT', kind: 'choice', choices: ['text', 'json'], default: () => 'text',
    description: 'How both logs write a line. `text`: the error log in Gunicorn\'s format, `[2026-12-01 23:15:00 +0000] [pid] [INFO] message`, the access log as `--access-logformat` says. `json`: one JSON object a line; error lines `{"time", "level", "pid", "message"}`, access lines `{"time", "level", "message"` (the text line)`, "remote_addr", "method", "request", "status", …}` with every atom as a field (see docs/logging.md).',
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
    description: 'The access log line, in Gunicorn\'s atoms: `h l u t r m U q H s B b f a T M D L p {header}i {header}o {var}e`, written as `%(atom)s`; `%({wsgi.url_scheme}e)s` is the request\'s scheme (`http` or `https`), as in Gunicorn.',
  }),
  setting({
    key: 'syslog', section: 'Logging', flags: ['--log-syslog'], kind: 'bool', default: () => false,
    description: 'Also send the error log to syslog, at `--log-syslog-to`, and the access log too (which this turns on, to syslog only unless `--access-logfile` is set) unless `--disable-redirect-access-to-syslog`. As Gunicorn\'s: each process sends its own lines, the program name is `gu.<prefix>.error` / `gu.<prefix>.access`, the severity follows the level (access lines are `info`). The message is the line without its timestamp: `[INFO] message` in text, the JSON object with `--log-format json`. A syslog that is down or unreachable is reported once on stderr and never stops the server. Framing: `--log-syslog-format`.',
  }),
  setting({
    key: 'syslogAddr', section: 'Logging', flags: ['--log-syslog-to'], meta: 'ADDRESS', kind: 'string', default: () => 'udp://localhost:514',
    check: (value) => {
      try {
        parseSyslogAddress(value)
        return undefined
      } catch (error) {
        return (error as Error).message
      }
    },
    description: 'Where syslog lines go: `udp://HOST:PORT`, `tcp://HOST:PORT` (port 514 if left out), or `unix://PATH#dgram` / `unix://PATH#stream` (`unix:///dev/log` is a datagram socket, the default type; datagram sockets need the optional dependency `unix-dgram`).',
  }),
  setting({
    key: 'syslogPrefix', section: 'Logging', flags: ['--log-syslog-prefix'], meta: 'PREFIX', kind: 'string', nullable: true, default: () => null,
    defaultDoc: 'the process name (`--name`), else the app module',
    description: 'The program name in syslog lines is `gu.PREFIX.error` or `gu.PREFIX.access`, as Gunicorn\'s is `gunicorn.PREFIX.error` (characters other than letters, digits, `.`, `_` and `-` become `_`).',
  }),
  setting({
    key: 'syslogFacility', section: 'Logging', flags: ['--log-syslog-facility'], meta: 'FACILITY', kind: 'choice', choices: SYSLOG_FACILITIES, default: () => 'user',
    description: 'The syslog facility of every line.',
  }),
  setting({
    key: 'syslogFormat', section: 'Logging', flags: ['--log-syslog-format'], meta: 'RFC', kind: 'choice', choices: SYSLOG_FORMATS, default: () => 'rfc3164',
    description: 'The syslog message format. `rfc3164` (BSD syslog, what `/dev/log`, rsyslog, syslog-ng and journald read by default): `<PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MSG`, local time. `rfc5424`: `<PRI>1 TIMESTAMP HOST APP-NAME PID - - MSG`, UTC. Over UDP and unix datagram sockets one message is one datagram; over TCP and unix stream sockets messages are framed as RFC 6587 says: a newline after each RFC 3164 message, the octet count before each RFC 5424 one.',
  }),
  setting({
    key: 'disableRedirectAccessToSyslog', section: 'Logging', flags: ['--disable-redirect-access-to-syslog'], kind: 'bool', default: () => false,
    description: 'With `--log-syslog`, keep the access log out of syslog.',
  }),
  setting({
    key: 'captureOutput', section: 'Logging', flags: ['--capture-output'], kind: 'bool', default: () => false,
    description: 'Send what the app writes to standard output and standard error (`console.log`, `console.error`, its worker threads\' consoles) to the error log, one error-log line per line written: standard output at `info`, standard error at `error`, whatever `--log-level` says, in the error log\'s format and destinations (JSON lines stay JSON). Applies in the arbiter (hooks) and in every worker. Writes that bypass `process.stdout`/`process.stderr` (a native addon, a child process inheriting the descriptors) are not captured.',
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
    key: 'controlSocket', section: 'Control', flags: ['--control-socket'], offFlag: '--no-control-socket', meta: 'PATH', kind: 'string', nullable: true,
    default: () => 'gu.ctl', defaultDoc: '`gu.ctl` in `chdir`',
    description: 'The unix socket `gu ctl` talks to the arbiter through (status, workers, scale, reload, upgrade, stop, reopen-logs), relative to `chdir`. A stale file left by a dead arbiter is replaced; one a running arbiter answers on is left alone (the server then runs without a control socket, with a warning). `--no-control-socket` (or `null` in the config file) turns it off. Read at start.',
  }),
  setting({
    key: 'controlSocketMode', section: 'Control', flags: ['--control-socket-mode'], meta: 'MODE', kind: 'string', default: () => '0600',
    check: (mode) => (/^0?[0-7]{3}$/.test(mode) ? undefined : `'${mode}' is not an octal file mode such as 0600 or 660`),
    description: 'The permissions of the control socket, in octal. Only who may write to the socket may control the server: the default lets its owner alone.',
  }),
  setting({
    key: 'metricsBind', section: 'Metrics', flags: ['--metrics-bind'], meta: 'ADDRESS', kind: 'string', nullable: true, default: () => null,
    check: checkMetricsBind,
    description: 'Serve Prometheus metrics at `http://ADDRESS/metrics` from the arbiter (`HOST:PORT`, `[IPv6]:PORT`, or `unix:PATH` for a scraper or sidecar on the same host; a relative path is from `chdir`), summed across every worker: requests by status class and method, request durations, in-flight requests, workers, restarts by reason, each worker\'s memory and event-loop lag, listen backlog queues (Linux), and the app\'s own prom-client metrics (see docs/metrics.md). Off unless set. Read at start.',
  }),
  setting({
    key: 'statsdHost', section: 'Metrics', flags: ['--statsd-host'], meta: 'STATSD_ADDR', kind: 'string', nullable: true, default: () => null,
    check: checkStatsdHost,
    description: 'Send Gunicorn\'s statsd metrics to this address, `HOST:PORT` (UDP) or `unix://PATH` (a unix datagram socket, as DogStatsD listens on): `gunicorn.requests`, `gunicorn.request.duration`, `gunicorn.request.status.<code>`, `gunicorn.workers` and `gunicorn.log.{warning,error,critical,exception}`, from the arbiter once a second. Off unless set.',
  }),
  setting({
    key: 'statsdPrefix', section: 'Metrics', flags: ['--statsd-prefix'], meta: 'PREFIX', kind: 'string', default: () => '',
    description: 'Prepended, with a dot, to every statsd metric name.',
  }),
  setting({
    key: 'dogstatsdTags', section: 'Metrics', flags: ['--dogstatsd-tags'], meta: 'TAGS', kind: 'string', default: () => '',
    description: 'Comma-separated DogStatsD tags (`env:prod,app:api`) added to every statsd metric.',
  }),
  setting({
    key: 'maxWorkerMemory', section: 'Metrics', flags: ['--max-worker-memory'], meta: 'SIZE', kind: 'string', nullable: true, default: () => null,
    check: (size) => (size !== null && parseSize(size) === undefined ? `'${size}' is not a size such as 512M, 1.5G or 300000000` : undefined),
    description: 'Recycle a worker whose resident memory (RSS) stays above SIZE (`K`, `M`, `G`: powers of 1024; plain bytes) for two checks in a row (they run every second): its replacement boots first, then it stops gracefully, its in-flight requests finishing. Logged with the figure; the reason `memory` shows in the metrics and in `gu ctl workers`. Off unless set.',
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
