// The public API of @gu/worker-testkit.
export { runTestkit, selectChecks } from './run-testkit.js'
export { GROUPS } from './groups/index.js'
export type { Check, CheckContext, CheckResult, ClassInfo, TestkitOptions, TestkitReport, TimeoutScope } from './types.js'
export type { GuProcess, StartOptions, Exit } from './gu-process.js'
