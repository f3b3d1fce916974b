import { writeSync } from 'node:fs'

/**
 * Says on stderr that a log destination failed — once per destination and kind of failure, so a
 * full disk or a syslog that is down costs one line, not one per request. Straight to fd 2: the
 * error log may be the thing that failed.
 */
export function reportOnce(): (destination: string, error: Error) => void {
  const seen = new Set<string>()
  return (destination, error) => {
    const key = `${destination}\n${error.message}`
    if (seen.has(key)) return
    seen.add(key)
    try {
      writeSync(2, `gu: cannot write the log to ${destination}: ${error.message}\n`)
    } catch {
      // stderr itself is gone: nowhere left to say it.
    }
  }
}
