import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { buildCommand, fallbackWarning } from './fallback-warning.js'

const root = mkdtempSync(join(tmpdir(), 'gu-fallback-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

/** The package as pnpm lays it out: a symlink into node_modules/.pnpm. */
function pnpmLayout(): string {
  const real = join(root, 'pnpm/node_modules/.pnpm/@gu+worker-sync@0.1.0/node_modules/@gu/worker-sync')
  mkdirSync(real, { recursive: true })
  mkdirSync(join(root, 'pnpm/node_modules/@gu'), { recursive: true })
  const link = join(root, 'pnpm/node_modules/@gu/worker-sync')
  symlinkSync(real, link)
  return link
}

describe('the fix named in a fallback warning', () => {
  it('is approving the build under pnpm (told by its layout, through the symlink)', () => {
    expect(buildCommand('@gu/worker-sync', pnpmLayout())).toBe(
      "pnpm approve-builds (select @gu/worker-sync: pnpm records the approval and builds it)",
    )
  })

  it('is npm rebuild in a flat node_modules', () => {
    const dir = join(root, 'npm/node_modules/@gu/worker-sync')
    mkdirSync(dir, { recursive: true })
    expect(buildCommand('@gu/worker-sync', dir)).toBe('npm rebuild @gu/worker-sync')
  })

  it('is one line: what is missing, why, what it costs, the command', () => {
    const line = fallbackWarning({ packageName: '@gu/x', packageRoot: join(root, 'npm'), what: 'native part', reason: 'no prebuilt binary for linux-riscv64 and none built from source', consequence: 'it is slower' })
    expect(line).toBe('@gu/x: native part missing (no prebuilt binary for linux-riscv64 and none built from source), so it is slower; fix: npm rebuild @gu/x (building needs python3, make and a C compiler)')
    expect(line).not.toContain('\n')
  })
})
