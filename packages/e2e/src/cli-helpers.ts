// Helpers for the CLI, settings and app-loading end-to-end tests.
import { readFileSync } from 'node:fs'
import net from 'node:net'
import { resolve } from 'node:path'
import { expect } from 'vitest'
import { E2E_ROOT, type RunResult, runGu } from './harness.js'

export const CORE_VERSION = (JSON.parse(readFileSync(resolve(E2E_ROOT, '../core/package.json'), 'utf8')) as { version: string }).version

/** Runs `gu --print-config …` and returns the settings it printed. */
export async function printConfig(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Record<string, unknown>> {
  const result = await runGu(['--print-config', ...args], { ...options, timeoutMs: 15_000 })
  expect(result.stderr, result.stderr).toBe('')
  expect(result.code).toBe(0)
  return JSON.parse(result.stdout) as Record<string, unknown>
}

/**
 * Asserts that gu failed as a user error should: the given exit code, exactly one line on stderr
 * starting `gu: error:`, and no stack trace. Returns that line.
 */
export function expectOneLineError(result: RunResult, code = 1): string {
  const detail = `exit ${result.code}, stderr:\n${result.stderr}`
  expect(result.code, detail).toBe(code)
  const lines = result.stderr.split('\n').filter((line) => line.trim())
  expect(lines, detail).toHaveLength(1)
  expect(lines[0], detail).toMatch(/^gu: error: /)
  expect(result.stderr, detail).not.toMatch(/^\s+at /m)
  return lines[0]!
}

/** The lines gu wrote at error level or above, and its own `gu: error:` lines. */
export function errorLines(text: string): string[] {
  return text.split('\n').filter((line) => /\[(ERROR|CRITICAL)\]|^gu: error:/.test(line))
}

/** A plain TCP server holding a loopback port; close it when done. */
export async function holdPort(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer((socket) => socket.destroy())
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen))
  const port = (server.address() as net.AddressInfo).port
  return { port, close: () => new Promise((done) => server.close(() => done())) }
}
