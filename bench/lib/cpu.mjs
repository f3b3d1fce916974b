// CPU time used by a server's processes (its whole process group), read from /proc on Linux.
// CPU per request is steadier than req/s on a shared machine: it barely moves when a
// neighbour steals cycles, since stolen time is not charged to our processes.
import { readdirSync, readFileSync } from 'node:fs'

const TICKS_PER_SECOND = 100 // USER_HZ, 100 on every mainstream Linux build

/** Map pid -> CPU seconds (user + system) for every live process in process group `pgid`. */
export function cpuByPid(pgid) {
  const out = new Map()
  let pids
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name))
  } catch {
    return out // not Linux: no CPU figures
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ') // fields[0] is field 3 (state)
      if (Number(fields[2]) !== pgid) continue
      out.set(Number(pid), (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND)
    } catch {} // the process ended meanwhile
  }
  return out
}

/** CPU seconds each pid used between two `cpuByPid` snapshots. */
export function cpuDelta(before, after) {
  const delta = new Map()
  for (const [pid, seconds] of after) delta.set(pid, seconds - (before.get(pid) ?? 0))
  return delta
}
