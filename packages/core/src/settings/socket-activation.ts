import { INHERITED_FDS_ENV, parseHandedOver } from './handed-over.js'

/** systemd passes activated sockets from descriptor 3 on (sd_listen_fds(3)). */
const SD_LISTEN_FDS_START = 3

/**
 * Set (to `1`) by an arbiter that serves activated sockets when it starts a new arbiter with USR2:
 * the `fd://N` entries of `GU_FDS` are then the activated sockets, and replace the new arbiter's
 * binds as `LISTEN_FDS` would have (systemd's variables are long gone by then).
 */
export const ACTIVATED_ENV = 'GU_ACTIVATED'

let activated: string[] | undefined

/**
 * Takes the sockets systemd passed this process (`LISTEN_FDS`, meant for us when `LISTEN_PID` is
 * our pid) as `fd://N` binds, and removes the variables so no child mistakes them for its own.
 * An arbiter started by USR2 from one that served activated sockets takes them the same way, from
 * `GU_FDS` (left for `takeInheritedSockets`) and `GU_ACTIVATED`.
 * Called once at start; later settings resolutions (HUP) keep using the same sockets.
 */
export function takeSocketActivation(env: NodeJS.ProcessEnv = process.env, pid = process.pid): string[] | undefined {
  const count = Number(env.LISTEN_FDS)
  if (env.LISTEN_PID === String(pid) && Number.isInteger(count) && count > 0) {
    activated = Array.from({ length: count }, (_, i) => `fd://${SD_LISTEN_FDS_START + i}`)
  } else if (env[ACTIVATED_ENV] === '1') {
    const specs = [...(parseHandedOver(env[INHERITED_FDS_ENV])?.keys() ?? [])].filter((spec) => spec.startsWith('fd://'))
    activated = specs.length > 0 ? specs : undefined
  }
  for (const name of ['LISTEN_PID', 'LISTEN_FDS', 'LISTEN_FDNAMES', ACTIVATED_ENV]) delete env[name]
  return activated
}

/** The binds systemd activated, if any: they replace whatever `bind` says. */
export function activatedBinds(): string[] | undefined {
  return activated
}
