// Tells which worker served which request: the access log (with a format naming the worker's
// pid) is matched with a `probe=` query parameter each test request carries.
export const PROBE_FORMAT = 'probe %(p)s %(s)s %(m)s %(U)s %(q)s'

export function servedBy(log: string): Map<string, number> {
  const pids = new Map<string, number>()
  for (const match of log.matchAll(/^probe <(\d+)> \d+ \S+ \S+ (?:.*&)?probe=([^&\s]+)/gm)) pids.set(match[2]!, Number(match[1]))
  return pids
}
