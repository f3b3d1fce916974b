import { readFileSync } from 'node:fs'
import type { Logger } from '../log/logger.js'

/** Descriptors a worker keeps for its own sockets, pipes and logs; the rest are for connections. */
export const RESERVED_DESCRIPTORS = 64

/** RLIMIT_NOFILE as Linux reports it for `pid`; undefined off Linux. `Infinity` for unlimited. */
export function openFilesLimit(pid: number | 'self' = 'self'): { soft: number; hard: number } | undefined {
  let text: string
  try {
    text = readFileSync(`/proc/${pid}/limits`, 'utf8')
  } catch {
    return undefined
  }
  const match = text.match(/^Max open files\s+(\S+)\s+(\S+)/m)
  if (!match) return undefined
  const value = (raw: string) => (raw === 'unlimited' ? Infinity : Number(raw))
  return { soft: value(match[1]!), hard: value(match[2]!) }
}

/**
 * Logs the open-files limit every worker inherits (each connection is a descriptor). Servers raise
 * their soft RLIMIT_NOFILE to the hard limit at start; Node itself already does so before any
 * JavaScript runs (node.cc's PlatformInit raises the soft limit as far as setrlimit allows), so
 * there is nothing left to raise here — only to say what it is, and to warn when it is low.
 */
export function logOpenFilesLimit(log: Logger, workerConnections: number): void {
  const limit = openFilesLimit()
  if (!limit) return
  const hard = Number.isFinite(limit.hard) ? String(limit.hard) : 'unlimited'
  const line = `Open files limit: ${limit.soft} (hard limit ${hard})`
  // A worker needs a descriptor per connection and a few of its own (sockets, pipes, logs).
  const room = limit.soft - RESERVED_DESCRIPTORS
  if (room < workerConnections) log.warning(`${line}: below --worker-connections ${workerConnections}, so a worker holds at most ${Math.max(1, room)} connections; raise the hard limit (ulimit -Hn, LimitNOFILE= under systemd)`)
  else log.info(line)
}
