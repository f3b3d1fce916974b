import { createWriteStream, type WriteStream } from 'node:fs'
import type { Writable } from 'node:stream'

/** Where log lines go: `-` for a standard stream, or a file opened for append and reopened on USR1. */
export class LogSink {
  #stream: Writable
  readonly #path: string | null

  constructor(target: string, standard: Writable) {
    this.#path = target === '-' ? null : target
    this.#stream = this.#path ? open(this.#path) : standard
  }

  write(line: string): void {
    this.#stream.write(line.endsWith('\n') ? line : `${line}\n`)
  }

  /** Reopens the file (after logrotate moved it); standard streams are left alone. */
  reopen(): void {
    if (!this.#path) return
    const old = this.#stream
    this.#stream = open(this.#path)
    old.end()
  }

  /** Resolves once every written line has reached the file. */
  flush(): Promise<void> {
    if (!this.#path) return Promise.resolve()
    const stream = this.#stream
    return new Promise((resolve) => stream.end(resolve))
  }
}

function open(path: string): WriteStream {
  const stream = createWriteStream(path, { flags: 'a' })
  stream.on('error', (error) => process.stderr.write(`gu: cannot write log file ${path}: ${error.message}\n`))
  return stream
}
