// Pair (c)'s reference server: Debian's Gunicorn, run through its own entry point.
// `python3` on PATH may be another interpreter (pyenv) without gunicorn, so we do not go through it.
import { existsSync } from 'node:fs'
import { spawnSync } from 'node:child_process'

const HINT = 'Install it with: apt-get update && apt-get install -y gunicorn (Debian/Ubuntu; as root or with sudo), ' +
  'or point GUNICORN=/path/to/gunicorn at another installation.'

/** The gunicorn executable: $GUNICORN, else Debian's /usr/bin/gunicorn, else `gunicorn` on PATH. */
export function gunicornCommand() {
  if (process.env.GUNICORN) return process.env.GUNICORN
  return existsSync('/usr/bin/gunicorn') ? '/usr/bin/gunicorn' : 'gunicorn'
}

/** Throws one clear line when gunicorn is missing or does not run; returns its version line. */
export function checkGunicorn() {
  const command = gunicornCommand()
  const probe = spawnSync(command, ['--version'], { encoding: 'utf8', timeout: 15000 })
  if (probe.error?.code === 'ENOENT') throw new Error(`gunicorn is not installed (pair c needs it). ${HINT}`)
  const out = `${probe.stdout ?? ''}${probe.stderr ?? ''}`.trim()
  if (probe.status !== 0 || !/gunicorn \(version/.test(out)) {
    throw new Error(`${command} --version did not answer like gunicorn (exit ${probe.status}): ${out.split('\n').slice(-1)[0] || probe.error?.message}. ${HINT}`)
  }
  return out.split('\n')[0]
}
