import { Router } from 'express'
import type { SearchCache } from '../cache/cache.js'
import type { AttendanceStore } from '../db/store.js'

const HEALTHY = 'Attendance API is running fine and ready to serve requests'
const UNHEALTHY = 'Attendance API is not healthy, please check logs'

/** The database decides health; a cache outage alone keeps the 200. */
export function healthRoutes(store: AttendanceStore, cache: SearchCache): Router {
  const router = Router()
  const database = async (): Promise<'up' | 'down'> => {
    try {
      await store.ping()
      return 'up'
    } catch (error) {
      console.warn(`attendance-api: health check: the database is unreachable (${(error as Error).message})`)
      return 'down'
    }
  }
  router.get('/health', async (_req, res) => {
    const up = (await database()) === 'up'
    res.status(up ? 200 : 503).json({ message: up ? HEALTHY : UNHEALTHY })
  })
  router.get('/health/detail', async (_req, res) => {
    const [postgresql, redis] = await Promise.all([database(), cache.health()])
    const up = postgresql === 'up'
    res.status(up ? 200 : 503).json({ message: up ? HEALTHY : UNHEALTHY, postgresql, redis, status: up ? 'healthy' : 'unhealthy' })
  })
  return router
}
