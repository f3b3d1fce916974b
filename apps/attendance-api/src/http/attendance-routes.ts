// The attendance endpoints, paths and messages as in the original Flask service.
import { Router, type Request, type Response } from 'express'
import type { SearchCache } from '../cache/cache.js'
import { type AttendanceStore, DuplicateIdError } from '../db/store.js'
import { asRecord, validateRecord } from './validate-record.js'

export const BASE = '/api/v1/attendance'
const ALL_KEY = `attendance:${BASE}/search/all`

export function attendanceRoutes(store: AttendanceStore, cache: SearchCache): Router {
  const router = Router()

  router.post('/create', async (req, res) => {
    if (!req.is('application/json')) {
      res.status(415).json({ error: 'Unsupported Media Type', message: 'send the record as application/json' })
      return
    }
    const details = validateRecord(req.body)
    if (details.length > 0) {
      res.status(400).json({ error: 'Validation Error', details })
      return
    }
    const record = asRecord(req.body)
    try {
      await store.create(record)
    } catch (error) {
      if (!(error instanceof DuplicateIdError)) throw error
      res.status(409).json({ error: 'Conflict', message: `A record with the employee id ${record.id} already exists` })
      return
    }
    await cache.invalidate(ALL_KEY)
    res.json({ message: `Successfully created the record for the employee id: $${record.id}` })
  })

  router.get('/search/all', async (req, res) => {
    await cached(cache, req, res, async () => [200, await store.all()])
  })

  router.get('/search', async (req, res) => {
    const id = req.query.id
    if (typeof id !== 'string' || id === '') {
      res.status(400).json({ message: 'Unable to process request, please check query params' })
      return
    }
    await cached(cache, req, res, async () => {
      const record = await store.find(id)
      return record ? [200, record] : [404, { error: 'Not Found', message: `No record for the employee id ${id}` }]
    })
  })

  return router
}

/** Answers from the cache (keyed by path and query string) or computes and caches a 200. */
async function cached(cache: SearchCache, req: Request, res: Response, compute: () => Promise<[number, unknown]>): Promise<void> {
  const key = `attendance:${req.originalUrl}`
  const hit = await cache.get(key)
  if (hit !== undefined) {
    res.type('application/json').set('x-cache', 'hit').send(hit)
    return
  }
  const [status, body] = await compute()
  const text = JSON.stringify(body)
  if (status === 200) await cache.set(key, text)
  res.status(status).type('application/json').set('x-cache', 'miss').send(text)
}
