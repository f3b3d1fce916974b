import type { PlainSettings } from '../settings/types.js'
import { checkWritable } from './destinations.js'
import type { LogPlan } from './log-plan.js'
import { resolveLogPlan } from './resolve-log-plan.js'

/** Resolves both logs and opens each file once: a log that can't be written is a clear error before anything starts (or a HUP that fails). */
export async function openLogPlan(settings: PlainSettings): Promise<LogPlan> {
  const plan = await resolveLogPlan(settings)
  checkWritable(plan.error.to, 'error log')
  if (plan.access) checkWritable(plan.access.to, 'access log')
  return plan
}
