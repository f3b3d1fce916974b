// Runs the checks against one class, one at a time, each bounded and cleaned up after.
import { RunContext } from './context.js'
import { GROUPS } from './groups/index.js'
import { readClassInfo, resolveClassFile } from './resolve-class.js'
import type { Check, CheckResult, ClassInfo, TestkitOptions, TestkitReport } from './types.js'

/** The checks that apply to `workerClass`, limited to `only` groups; unknown group names throw. */
export function selectChecks(workerClass: ClassInfo, only?: readonly string[]): Check[] {
  const names = only && only.length > 0 ? only : Object.keys(GROUPS)
  const unknown = names.filter((name) => !(name in GROUPS))
  if (unknown.length > 0) throw new Error(`unknown group ${unknown.join(', ')}: the groups are ${Object.keys(GROUPS).join(', ')}`)
  return names
    .flatMap((name) => GROUPS[name]!)
    .filter((check) => (!check.scope || [check.scope].flat().includes(workerClass.timeoutScope)) && (!check.websockets || workerClass.websockets !== false))
    .filter((check) => !check.tls || (check.tls === 'serves') === workerClass.tls)
}

export async function runTestkit(options: TestkitOptions): Promise<TestkitReport> {
  const started = Date.now()
  const file = resolveClassFile(options.workerClass, options.cwd ?? process.cwd())
  const workerClass = await readClassInfo(file)
  const results: CheckResult[] = []
  for (const check of selectChecks(workerClass, options.only)) {
    const result = await runCheck(check, workerClass, options.env)
    results.push(result)
    options.onResult?.(result)
  }
  const failed = results.filter((r) => !r.ok).length
  return { workerClass, results, passed: results.length - failed, failed, ms: Date.now() - started }
}

async function runCheck(check: Check, workerClass: ClassInfo, env: Record<string, string> | undefined): Promise<CheckResult> {
  const ctx = new RunContext(workerClass, env)
  const started = Date.now()
  let timer: NodeJS.Timeout | undefined
  const overrun = new Promise<Error>((resolve) => {
    timer = setTimeout(() => resolve(new Error(`did not finish within ${check.timeoutMs / 1000}s`)), check.timeoutMs)
  })
  // A check that overran goes on in the background until cleanup kills its servers: its late
  // rejection is caught here, and its outcome ignored.
  const ran = check.run(ctx).then(
    () => undefined,
    (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
  )
  const error = await Promise.race([ran, overrun])
  clearTimeout(timer)
  const details = error ? ctx.outputs() : undefined
  await ctx.cleanup()
  const base = { group: check.group, name: check.name, ms: Date.now() - started }
  return error ? { ...base, ok: false, reason: error.message, details } : { ...base, ok: true }
}
