/** systemd passes activated sockets from descriptor 3 on (sd_listen_fds(3)). */
const SD_LISTEN_FDS_START = 3

let activated: string[] | undefined

/**
 * Takes the sockets systemd passed this process (`LISTEN_FDS`, meant for us when `LISTEN_PID` is
 * our pid) as `fd://N` binds, and removes the variables so no child mistakes them for its own.
 * Called once at start; later settings resolutions (HUP) keep using the same sockets.
 */
export function takeSocketActivation(env: NodeJS.ProcessEnv = process.env, pid = process.pid): string[] | undefined {
  const count = Number(env.LISTEN_FDS)
  if (env.LISTEN_PID === String(pid) && Number.isInteger(count) && count > 0) {
    activated = Array.from({ length: count }, (_, i) => `fd://${SD_LISTEN_FDS_START + i}`)
  }
  for (const name of ['LISTEN_PID', 'LISTEN_FDS', 'LISTEN_FDNAMES']) delete env[name]
  return activated
}

/** The binds systemd activated, if any: they replace whatever `bind` says. */
export function activatedBinds(): string[] | undefined {
  return activated
}
