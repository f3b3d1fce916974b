import type { StatusResult, WorkerRow, WorkersResult } from './control-commands.js'

/** `gu ctl`'s text output: what an operator reads. `--json` prints the results as they are. */

export function formatStatus(s: StatusResult): string {
  const lines = [
    `arbiter     pid ${s.pid}, gu ${s.version}${s.stopping ? ' (stopping)' : ''}`,
    `uptime      ${duration(s.uptimeSeconds)}`,
    `generation  ${s.generation}`,
    `app         ${s.app ?? '-'} (worker class ${s.workerClass})`,
    `workers     ${s.workers.alive} alive, ${s.workers.desired} wanted`,
    `listening   ${s.listeners.join(', ') || '-'}`,
  ]
  if (s.upgrade.newArbiterPid) lines.push(`upgrade     new arbiter pid ${s.upgrade.newArbiterPid} serves alongside`)
  if (s.upgrade.oldArbiterPid) lines.push(`upgrade     started by USR2 from pid ${s.upgrade.oldArbiterPid}, which still runs`)
  lines.push('settings')
  for (const [key, value] of Object.entries(s.settings)) lines.push(`  ${key.padEnd(16)} ${JSON.stringify(value)}`)
  return lines.join('\n')
}

const COLUMNS = ['PID', 'AGE', 'GEN', 'UPTIME', 'REQUESTS', 'IN-FLIGHT', 'CONNS', 'RSS', 'HEAP', 'LAG', 'STATE'] as const

export function formatWorkers(result: WorkersResult, cpuPercent?: Map<number, number>): string {
  const header = cpuPercent ? [...COLUMNS.slice(0, -1), 'CPU', 'STATE'] : [...COLUMNS]
  const rows = result.workers.map((w) => {
    const row = [String(w.pid), String(w.age), String(w.generation), duration(w.uptimeSeconds), num(w.requests), num(w.inFlight), num(w.connections), bytes(w.rss), bytes(w.heapUsed), w.loopLagMs === null ? '-' : `${w.loopLagMs.toFixed(0)}ms`]
    if (cpuPercent) row.push(cpuPercent.has(w.pid) ? `${cpuPercent.get(w.pid)!.toFixed(0)}%` : '-')
    row.push(state(w))
    return row
  })
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')
  const out = [line(header), ...rows.map(line), '', `${result.workers.length} worker(s)`]
  const restarts = Object.entries(result.restarts).filter(([, n]) => n > 0)
  if (restarts.length > 0) out.push(`restarts: ${restarts.map(([reason, n]) => `${reason} ${n}`).join(', ')}`)
  const recent = result.recentRestarts.slice(0, 5)
  if (recent.length > 0) out.push(`recent: ${recent.map((r) => `pid ${r.pid} (${r.reason}, ${duration(Math.round((Date.now() - r.at) / 1000))} ago)`).join(', ')}`)
  return out.join('\n')
}

function state(w: WorkerRow): string {
  return w.reason ? `${w.state} (${w.reason})` : w.state
}

function num(n: number | null): string {
  return n === null ? '-' : String(n)
}

function bytes(n: number | null): string {
  if (n === null) return '-'
  return n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)}G` : `${(n / 1024 ** 2).toFixed(1)}M`
}

export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`
  return `${Math.floor(seconds / 86400)}d${Math.floor((seconds % 86400) / 3600)}h`
}
