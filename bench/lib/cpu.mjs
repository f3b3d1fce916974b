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
      const fields = statFields(`/proc/${pid}/stat`)
      if (Number(fields[2]) !== pgid) continue
      out.set(Number(pid), (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND)
    } catch {} // the process ended meanwhile
  }
  return out
}

/** CPU seconds (user + system) of process `pid`'s main thread alone (its thread id is its pid); 0 once it has ended. */
export function mainThreadCpu(pid) {
  try {
    const fields = statFields(`/proc/${pid}/task/${pid}/stat`)
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
  } catch {
    return 0
  }
}

/** A /proc stat line's fields after the command name: [0] is field 3 (state). */
function statFields(path) {
  const stat = readFileSync(path, 'utf8')
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
}

/** CPU seconds each pid used between two `cpuByPid` snapshots. */
export function cpuDelta(before, after) {
  const delta = new Map()
  for (const [pid, seconds] of after) delta.set(pid, seconds - (before.get(pid) ?? 0))
  return delta
}
