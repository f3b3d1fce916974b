// What every benchmark script starts with: its options (with --help), a hard deadline, servers
// that die with it on any exit path, wrk checked up front, and rounds in rotating order.
import { createServer } from 'node:net'
import { parseArgs } from 'node:util'
import { killAllNow } from './servers.mjs'
import { checkWrk } from './wrk.mjs'

/** One line on stderr, every server killed, exit 1. */
export function fail(message) {
  console.error(`bench: ${message}`)
  killAllNow()
  process.exit(1)
}

/**
 * parseArgs over `options` (all strings unless typed otherwise), plus `--help`/`-h`, which prints
 * `usage` and exits; an unknown option fails with the usage.
 */
export function benchOptions(options, usage) {
  let values
  try {
    ;({ values } = parseArgs({ options: { ...options, help: { type: 'boolean', short: 'h', default: false } } }))
  } catch (error) {
    fail(`${error.message}\n${usage}`)
  }
  if (values.help) {
    console.log(usage)
    process.exit(0)
  }
  return values
}

/**
 * Everything stops by itself: after `budgetS` seconds the run fails, and on exit, a signal or an
 * unhandled rejection every server started through lib/servers.mjs is killed.
 */
export function guardRun(budgetS) {
  const deadline = setTimeout(() => fail(`over the time budget of ${Math.round(budgetS)} s`), budgetS * 1000)
  deadline.unref()
  process.on('exit', killAllNow)
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => fail(`interrupted by ${sig}`))
  process.on('unhandledRejection', (error) => fail(error?.stack ?? String(error)))
}

/** wrk's version line, or a failed run that says how to install it. */
export function wrkOrFail() {
  try {
    return checkWrk()
  } catch (error) {
    fail(error.message)
  }
}

/**
 * The order of round `round` (A, B / B, A; with three sides A, B, C / B, C, A / C, A, B): no side
 * always runs first, or always right after the same neighbour.
 */
export function rotated(sides, round) {
  const shift = round % sides.length
  return [...sides.slice(shift), ...sides.slice(0, shift)]
}

/** A port nothing listens on now (the machine is shared: fixed port ranges collide). */
export const freePort = () =>
  new Promise((resolve, reject) => {
    const probe = createServer().on('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address()
      probe.close(() => resolve(port))
    })
  })

/** gu and Gunicorn print the same two lines: `Listening at: URL (pid)`, `Booting worker with pid: N`. */
export const booted = (n) => (log) => /Listening at: http:\/\/127\.0\.0\.1:\d+/.test(log) && (log.match(/Booting worker with pid/g) ?? []).length >= n
