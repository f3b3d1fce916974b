/** An error the user caused (a flag, a value, a file): printed as one line, no stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message)
  }
}
