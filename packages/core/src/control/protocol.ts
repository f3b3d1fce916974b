// The control socket speaks newline-delimited JSON: one request per line, one reply per line,
// in order; a connection may send many (gu ctl top does).

/** A request: `{"command":"scale","args":["+2"]}`. */
export interface ControlRequest {
  command: string
  args?: string[]
}

export type ControlReply = { ok: true; result: unknown } | { ok: false; error: string }

/** The longest request line accepted: a command is a few words. */
export const MAX_REQUEST_BYTES = 16 * 1024

export const COMMANDS = ['status', 'workers', 'scale', 'reload', 'upgrade', 'stop', 'reopen-logs'] as const
export type CommandName = (typeof COMMANDS)[number]

/** Splits a byte stream into lines, refusing one that grows past `max` bytes. */
export class LineReader {
  #buffer = ''

  constructor(private readonly max: number) {}

  /** The complete lines in `chunk`; throws when a line is too long. */
  push(chunk: string): string[] {
    this.#buffer += chunk
    const lines = this.#buffer.split('\n')
    this.#buffer = lines.pop()!
    if (this.#buffer.length > this.max) throw new Error(`request longer than ${this.max} bytes`)
    return lines.filter((line) => line.trim() !== '')
  }
}
