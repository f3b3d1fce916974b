// The limits and policies every request is held to, read once from the settings.
import type { Settings } from '../settings/types.js'

export interface RequestRules {
  /** 0: no limit, for each. */
  readonly limitRequestLine: number
  readonly limitRequestFields: number
  readonly limitRequestFieldSize: number
  readonly limitRequestBody: number
  readonly headerMap: 'drop' | 'refuse' | 'dangerous'
}

export function requestRules(settings: Settings): RequestRules {
  return {
    limitRequestLine: settings.limitRequestLine,
    limitRequestFields: settings.limitRequestFields,
    limitRequestFieldSize: settings.limitRequestFieldSize,
    limitRequestBody: settings.limitRequestBody,
    headerMap: settings.headerMap,
  }
}

/**
 * node:http's own bound on the whole head, which llhttp holds in memory per connection (431 past
 * it): the longest request line and four fields at their largest, at least node's 16 KiB; 1 MiB
 * with no field limit. The per-field and per-line limits are gu's checks; this one keeps a flood
 * of huge heads cheap.
 */
export function maxHeaderSize(rules: RequestRules): number {
  if (rules.limitRequestFields === 0) return 1024 * 1024
  const line = rules.limitRequestLine || 8190
  const size = rules.limitRequestFieldSize || 16 * 1024
  return Math.max(16 * 1024, line + 2 + 4 * (size + 2) + 2)
}
