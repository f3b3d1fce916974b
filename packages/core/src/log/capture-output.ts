import type { Logger } from './logger.js'

/** A line longer than this without a newline is logged in pieces, so memory stays bounded. */
const MAX_LINE = 16 * 1024

type Write = (chunk: string | Uint8Array, encoding?: BufferEncoding | ((error?: Error | null) => void), callback?: (error?: Error | null) => void) => boolean

/**
 * `--capture-output`: what the app (or a hook) writes to `process.stdout` and `process.stderr` —
 * `console.log`, `console.error`, a worker thread's console — becomes error-log lines, one per
 * line written: stdout at `info`, stderr at `error`, written whatever `--log-level` says, in the
 * error log's format and destinations (so JSON lines stay JSON). gu's own logs write to the
 * descriptors directly and are not captured. Writes to fd 1 and 2 that bypass these streams (a
 * native addon, a child process inheriting them) are not captured.
 */
export function captureOutput(log: Logger): void {
  capture(process.stdout, (line) => log.always('info', line))
  capture(process.stderr, (line) => log.always('error', line))
}

function capture(stream: NodeJS.WriteStream, emit: (line: string) => void): void {
  let partial = ''
  const write: Write = (chunk, encoding, callback) => {
    const done = typeof encoding === 'function' ? encoding : callback
    const charset = typeof encoding === 'string' ? encoding : 'utf8'
    partial += typeof chunk === 'string' ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString(charset)
    let newline = partial.indexOf('\n')
    while (newline >= 0) {
      emit(partial.slice(0, newline).replace(/\r$/, ''))
      partial = partial.slice(newline + 1)
      newline = partial.indexOf('\n')
    }
    while (partial.length > MAX_LINE) {
      emit(partial.slice(0, MAX_LINE))
      partial = partial.slice(MAX_LINE)
    }
    if (done) process.nextTick(done)
    return true
  }
  stream.write = write as NodeJS.WriteStream['write']
  // A last line with no newline is still the app's output.
  // Before the destinations' own 'exit' flush, which writes it out.
  process.prependListener('exit', () => {
    if (partial) emit(partial)
    partial = ''
  })
}
