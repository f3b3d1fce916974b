import { closeSync, openSync } from 'node:fs'
import sonicBoom from 'sonic-boom'
import { UsageError } from '../settings/errors.js'
import type { Destination } from './log-plan.js'
import { reportOnce } from './report-once.js'
import { isStandard } from './resolve-log-plan.js'

// A CommonJS module: its class is the default export at run time, and a named type.
const { SonicBoom } = sonicBoom
type SonicBoom = sonicBoom.SonicBoom

/** A log a disk can't take (full, gone) buffers up to this much, then drops lines rather than memory. */
const MAX_BUFFERED = 16 * 1024 * 1024
/** One write carries up to this much of what queued meanwhile (sonic-boom's 16 KiB default falls behind a busy JSON access log). */
const MAX_WRITE = 1024 * 1024

/** Every open destination, so lines still buffered are written out when the process exits. */
const live = new Set<SonicBoom>()
let exitHookInstalled = false

function flushAllOnExit(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  // `process.exit()` runs 'exit' listeners synchronously: the last chance, and a sure one.
  process.on('exit', () => {
    for (const sonic of live) flushQuietly(sonic)
  })
}

function flushQuietly(sonic: SonicBoom): void {
  try {
    if ((sonic as unknown as { fd: number }).fd >= 0) sonic.flushSync()
  } catch {
    // Nothing left to tell it to: the error was reported when the write failed.
  }
}

/**
 * The places one log writes to, each a sonic-boom stream: lines are queued in memory and written
 * asynchronously (one write carries every line queued meanwhile), files are reopened in place on
 * USR1 with no line lost (lines written meanwhile wait for the new file), and whatever is still
 * queued is written synchronously when the process exits.
 */
export class Destinations {
  readonly #streams: SonicBoom[]
  readonly #files: SonicBoom[]

  /** `standard` is the fd `-` means: 2 for the error log, 1 for the access log. */
  constructor(to: readonly Destination[], standard: 1 | 2) {
    flushAllOnExit()
    const unique = [...new Set(to.map((d) => (d === '-' ? (standard === 1 ? 'stdout' : 'stderr') : d)))]
    this.#streams = unique.map((d) => open(d))
    this.#files = this.#streams.filter((_, i) => !isStandard(unique[i]!))
  }

  write(line: string): void {
    // Buffer mode: sonic-boom's string mode measures its whole pending chunk (up to 16 KiB) on
    // every write, which under load costs more than encoding each line once.
    const bytes = Buffer.from(line)
    for (const stream of this.#streams) stream.write(bytes as unknown as string)
  }

  /**
   * USR1: reopen every file (logrotate moved it); standard streams are left alone. A file that
   * can't be opened any more (its directory gone) is reported, and lines go on to the old one.
   */
  reopen(): void {
    for (const file of this.#files) {
      const path = (file as unknown as { file: string }).file
      try {
        // Checked first: sonic-boom keeps the old descriptor when its reopen fails, but would
        // close that descriptor twice after a later reopen that works.
        closeSync(openSync(path, 'a'))
        file.reopen()
      } catch (error) {
        report(path, error as Error)
      }
    }
  }

  /** Writes out what is queued; resolves once it is written. */
  async flush(): Promise<void> {
    await Promise.all(this.#streams.map((stream) => ready(stream)))
    for (const stream of this.#streams) flushQuietly(stream)
  }

  /** Writes out what is queued and closes the files (never fd 1 or 2). */
  async close(): Promise<void> {
    await this.flush()
    for (const stream of this.#streams) {
      live.delete(stream)
      stream.end()
    }
  }
}

const report = reportOnce()

function open(destination: Destination): SonicBoom {
  const fd = destination === 'stdout' ? 1 : destination === 'stderr' ? 2 : undefined
  const stream = new SonicBoom({ dest: fd ?? destination, append: true, mkdir: false, maxLength: MAX_BUFFERED, maxWrite: MAX_WRITE, contentMode: 'buffer' })
  stream.on('error', (error: Error) => report(destination, error))
  stream.on('drop', () => report(destination, new Error(`${MAX_BUFFERED / 1024 / 1024} MiB of lines wait to be written: dropping lines until it catches up`)))
  live.add(stream)
  return stream
}

function ready(stream: SonicBoom): Promise<void> {
  if ((stream as unknown as { fd: number }).fd >= 0) return Promise.resolve()
  return new Promise((resolve) => {
    stream.once('ready', resolve)
    stream.once('error', () => resolve())
  })
}

/** Opens each file destination once (creating it), so a log that can't be written stops the start with a clear error. */
export function checkWritable(to: readonly Destination[], what: string): void {
  for (const destination of to) {
    if (isStandard(destination)) continue
    try {
      closeSync(openSync(destination, 'a'))
    } catch (error) {
      throw new UsageError(`${what}: cannot open ${destination} for writing (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
    }
  }
}
