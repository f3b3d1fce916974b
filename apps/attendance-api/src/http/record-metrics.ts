// Counts each answered request by method, path template (not the raw URL: ids would explode
// the label set) and status, and times it.
import type { NextFunction, Request, Response } from 'express'
import type { AppMetrics } from '../metrics/app-metrics.js'
import type { SharedSnapshots } from '../metrics/shared-snapshots.js'

export function recordMetrics(metrics: AppMetrics, shared: SharedSnapshots) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const start = process.hrtime.bigint()
    res.on('finish', () => {
      const labels = { method: req.method, path: pathTemplate(req), status: String(res.statusCode) }
      metrics.requests.inc(labels)
      metrics.duration.observe(labels, Number(process.hrtime.bigint() - start) / 1e9)
      shared.changed()
    })
    next()
  }
}

function pathTemplate(req: Request): string {
  const route = (req as { route?: { path?: unknown } }).route
  if (route && typeof route.path === 'string') return req.baseUrl + route.path
  if (req.originalUrl.startsWith('/apidocs')) return '/apidocs'
  return '(unmatched)'
}
