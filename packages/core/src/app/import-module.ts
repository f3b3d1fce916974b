import { spawnSync } from 'node:child_process'
import { pathToFileURL } from 'node:url'

const TYPESCRIPT = /\.[cm]?ts$/

/** Imports a resolved file; TypeScript goes through tsx, so `.ts` loads on Node 20 with no build. */
export async function importFile(file: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href
  if (TYPESCRIPT.test(file)) {
    const { tsImport } = await import('tsx/esm/api')
    return (await tsImport(url, import.meta.url)) as Record<string, unknown>
  }
  return (await import(url)) as Record<string, unknown>
}

/**
 * One line that says why a module didn't load, with the file and line of a syntax error when the
 * error carries one (Node puts it at the top of the stack, esbuild in its message).
 */
export function describeLoadError(error: unknown, file: string): string {
  if (!(error instanceof Error)) return String(error)
  const firstLine = error.message.split('\n').find((line) => line.trim()) ?? error.name
  const location = findLocation(`${error.message}\n${error.stack ?? ''}`, file) ?? syntaxErrorLocation(error, file)
  const where = location && !firstLine.includes(location) ? ` at ${location}` : ''
  return `${error.name === 'Error' ? '' : `${error.name}: `}${firstLine}${where}`
}

function findLocation(text: string, file: string): string | undefined {
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const match = new RegExp(`(?:file://)?${escaped}:(\\d+)(?::(\\d+))?`).exec(text)
  return match ? `${file}:${match[1]}` : undefined
}

/**
 * Node 20 keeps the file and line of a syntax error in an ES module out of the error it throws;
 * `node --check` prints them, so ask it (only on this error path, and only for JavaScript files).
 */
function syntaxErrorLocation(error: Error, file: string): string | undefined {
  if (error.name !== 'SyntaxError' || TYPESCRIPT.test(file)) return undefined
  const check = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8', timeout: 10_000 })
  return check.status === 0 ? undefined : findLocation(check.stderr ?? '', file)
}
