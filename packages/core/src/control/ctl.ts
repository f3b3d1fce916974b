import { resolve } from 'node:path'
import { EXIT_FAILURE, EXIT_OK } from '../arbiter/exit-codes.js'
import { UsageError } from '../settings/errors.js'
import { resolveSettings } from '../settings/resolve.js'
import type { StatusResult, WorkersResult } from './control-commands.js'
import { CtlConnection, CtlError } from './ctl-client.js'
import { formatStatus, formatWorkers } from './ctl-format.js'
import { runTop } from './ctl-top.js'

const USAGE = `usage: gu ctl [-s PATH] [--json] COMMAND

Talks to a running gu arbiter through its control socket.

commands:
  status                 arbiter pid, generation, uptime, settings summary
  workers                each worker: pid, age, uptime, requests, in flight, memory, state
  scale N|+N|-N          set the number of workers, or change it by N (as TTIN/TTOU)
  reload                 new workers with reloaded settings and app (as HUP)
  upgrade                start a new arbiter on the same sockets (as USR2)
  stop [--graceful]      stop now (as QUIT), or let in-flight requests finish (as TERM)
  reopen-logs            reopen the log files (as USR1)
  top                    a live view of the workers, refreshed every second (q or Ctrl-C quits)

options:
  -s, --control-socket PATH   the socket (default: the control socket gu's settings here name:
                              gu.ctl in --chdir, or what -c/--config and GU_CMD_ARGS say)
  -c, --config FILE, --chdir DIR
                              read the settings as gu would, to find the socket
  --json                      print the result as JSON, for scripts
  -h, --help                  print this help`

interface CtlArgs {
  socket: string | undefined
  json: boolean
  settingsArgs: string[]
  command: string | undefined
  args: string[]
}

/** `gu ctl …`: returns the exit code. */
export async function ctlMain(argv: readonly string[]): Promise<number> {
  let parsed: CtlArgs
  try {
    parsed = parseCtlArgs(argv)
  } catch (error) {
    process.stderr.write(`gu ctl: error: ${(error as Error).message}\n${USAGE.split('\n')[0]}\n`)
    return 2
  }
  if (!parsed.command || parsed.command === 'help') {
    process.stdout.write(`${USAGE}\n`)
    return parsed.command ? EXIT_OK : 2
  }
  try {
    const path = parsed.socket ?? (await defaultSocket(parsed.settingsArgs))
    if (parsed.command === 'top') return await runTop(path)
    const connection = await CtlConnection.connect(path)
    try {
      const reply = await connection.request({ command: parsed.command, args: parsed.args })
      if (!reply.ok) {
        process.stderr.write(`gu ctl: ${parsed.command}: ${reply.error}\n`)
        return EXIT_FAILURE
      }
      process.stdout.write(`${parsed.json ? JSON.stringify(reply.result, null, 2) : describe(parsed.command, reply.result)}\n`)
      return EXIT_OK
    } finally {
      connection.close()
    }
  } catch (error) {
    if (error instanceof CtlError || error instanceof UsageError) {
      process.stderr.write(`gu ctl: ${error.message}\n`)
      return EXIT_FAILURE
    }
    throw error
  }
}

function parseCtlArgs(argv: readonly string[]): CtlArgs {
  const parsed: CtlArgs = { socket: undefined, json: false, settingsArgs: [], command: undefined, args: [] }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const value = () => {
      const eq = arg.indexOf('=')
      if (arg.startsWith('--') && eq > 0) return arg.slice(eq + 1)
      const next = argv[++i]
      if (next === undefined) throw new Error(`${arg} needs a value`)
      return next
    }
    const flag = arg.startsWith('--') ? arg.split('=')[0] : arg
    if (flag === '--json') parsed.json = true
    else if (parsed.command !== undefined) parsed.args.push(arg)
    else if (flag === '-h' || flag === '--help') parsed.command = 'help'
    else if (flag === '-s' || flag === '--control-socket') parsed.socket = value()
    else if (flag === '-c' || flag === '--config' || flag === '--chdir') parsed.settingsArgs.push(flag, value())
    else if (arg.startsWith('-')) throw new Error(`unrecognized option '${arg}'`)
    else parsed.command = arg
  }
  return parsed
}

/** The socket gu would create with the same settings, from here. */
async function defaultSocket(settingsArgs: string[]): Promise<string> {
  const { settings } = await resolveSettings(settingsArgs)
  if (!settings.controlSocket) throw new CtlError('the settings here turn the control socket off (controlSocket: null); pass -s PATH')
  return resolve(settings.chdir, settings.controlSocket)
}

function describe(command: string, result: unknown): string {
  switch (command) {
    case 'status':
      return formatStatus(result as StatusResult)
    case 'workers':
      return formatWorkers(result as WorkersResult)
    case 'scale': {
      const { from, to } = result as { from: number; to: number }
      return from === to ? `workers: ${to} (unchanged)` : `workers: ${from} → ${to}`
    }
    default:
      return (result as { message?: string }).message ?? JSON.stringify(result)
  }
}
