import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { UsageError } from '../settings/errors.js'

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The arbiter's pidfile: refuses to start over a live one, replaces a stale one. */
export class Pidfile {
  constructor(readonly path: string) {}

  create(pid: number): void {
    let existing: number | undefined
    try {
      existing = Number.parseInt(readFileSync(this.path, 'utf8'), 10)
    } catch {
      existing = undefined
    }
    if (existing && existing !== pid && isAlive(existing)) {
      throw new UsageError(`already running on PID ${existing} (or pid file '${this.path}' is stale)`)
    }
    const temp = `${this.path}.${pid}.tmp`
    try {
      writeFileSync(temp, `${pid}\n`)
      renameSync(temp, this.path)
    } catch (error) {
      throw new UsageError(`cannot write pid file '${this.path}': ${(error as Error).message}`)
    }
  }

  /** Removes the file, but only while it still names `pid` (an upgraded arbiter may own it). */
  unlink(pid: number): void {
    try {
      if (Number.parseInt(readFileSync(this.path, 'utf8'), 10) === pid) rmSync(this.path)
    } catch {
      // Already gone.
    }
  }
}
