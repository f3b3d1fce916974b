// gu-testkit --worker-class <specifier> [--only <group>[,group]] [--verbose]
import { parseArgs } from 'node:util'
import { GROUPS } from './groups/index.js'
import { runTestkit } from './run-testkit.js'
import type { CheckResult } from './types.js'

const USAGE = `usage: gu-testkit --worker-class <specifier> [--only <group>[,group]] [--verbose]

Starts real gu arbiters with the worker class and checks it against gu's worker contract.
<specifier> is a package name, or a relative or absolute path, resolved from this directory.
Groups: ${Object.keys(GROUPS).join(', ')}.
--verbose prints the output of gu for each failed check.
`

function line(result: CheckResult): string {
  const title = `${result.group}: ${result.name}`
  return result.ok ? `✓ ${title} (${(result.ms / 1000).toFixed(1)}s)` : `✗ ${title} — ${result.reason}`
}

async function main(): Promise<number> {
  let values
  try {
    ;({ values } = parseArgs({
      options: {
        'worker-class': { type: 'string', short: 'k' },
        only: { type: 'string' },
        verbose: { type: 'boolean', short: 'v' },
        help: { type: 'boolean', short: 'h' },
      },
    }))
  } catch (error) {
    process.stderr.write(`gu-testkit: ${(error as Error).message}\n${USAGE}`)
    return 2
  }
  if (values.help) {
    process.stdout.write(USAGE)
    return 0
  }
  if (!values['worker-class']) {
    process.stderr.write(`gu-testkit: --worker-class is required\n${USAGE}`)
    return 2
  }
  const only = values.only?.split(',').map((name) => name.trim()).filter(Boolean)
  try {
    const report = await runTestkit({
      workerClass: values['worker-class'],
      only,
      onResult: (result) => {
        process.stdout.write(`${line(result)}\n`)
        if (!result.ok && values.verbose && result.details) process.stdout.write(`${result.details.replace(/^/gm, '    ')}\n`)
      },
    })
    const { name, file, timeoutScope } = report.workerClass
    process.stdout.write(`worker class '${name}' (${file}, timeout scope ${timeoutScope}) in ${(report.ms / 1000).toFixed(1)}s\n`)
    process.stdout.write(`${report.passed} passed, ${report.failed} failed\n`)
    return report.failed > 0 ? 1 : 0
  } catch (error) {
    process.stderr.write(`gu-testkit: ${(error as Error).message}\n`)
    return 2
  }
}

// Interrupted: the servers under test go too (the 'exit' hook kills them).
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => process.exit(130))

process.exitCode = await main()
