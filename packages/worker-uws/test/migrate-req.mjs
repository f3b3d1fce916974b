// Whether the kernel hands a closing SO_REUSEPORT listener's queued connections to another
// listener of the port (README: "Zero-downtime reloads"). At 0 it resets them, so a reload under
// load can fail a request whatever gu does: the testkit run (run-kit.mjs) counts that check as a
// known gap, and load.test.ts skips its reload tests, for the same reason, in the same words.
import { readFileSync } from 'node:fs'

export function migratesQueuedConnections() {
  try {
    return readFileSync('/proc/sys/net/ipv4/tcp_migrate_req', 'utf8').trim() === '1'
  } catch {
    return false
  }
}

export const NO_MIGRATION =
  'net.ipv4.tcp_migrate_req is 0 here: the kernel resets connections queued on a stopping worker\'s own listener (README: "Zero-downtime reloads")'
