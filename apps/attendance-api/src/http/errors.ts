// Last in the chain: bad JSON is the client's fault (400), anything else is logged and a 500.
import { STATUS_CODES } from 'node:http'
import type { NextFunction, Request, Response } from 'express'

export function notFound(req: Request, res: Response): void {
  res.status(404).json({ error: 'Not Found', message: `No route for ${req.method} ${req.path}` })
}

export function errorHandler(error: unknown, req: Request, res: Response, _next: NextFunction): void {
  const e = error as { type?: string; status?: number; message?: string }
  if (e.type === 'entity.parse.failed') {
    res.status(400).json({ error: 'Bad Request', message: 'The body is not valid JSON' })
    return
  }
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    // body-parser's own client errors: 413 for a body over the limit, 400 for a bad charset …
    res.status(e.status).json({ error: STATUS_CODES[e.status] ?? 'Bad Request', message: e.message ?? 'Bad request' })
    return
  }
  console.error(`attendance-api: ${req.method} ${req.originalUrl} failed: ${(error as Error)?.stack ?? String(error)}`)
  if (res.headersSent) {
    res.destroy()
    return
  }
  res.status(500).json({ error: 'Internal Server Error', message: 'The request failed, please check logs' })
}
