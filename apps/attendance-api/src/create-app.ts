// Builds the Express app from a configuration: storage, cache, routes, docs and metrics.
import express, { type Express } from 'express'
import { openRedisCache } from './cache/redis-cache.js'
import { noCache } from './cache/cache.js'
import type { AppConfig } from './config.js'
import { openStore } from './db/open-store.js'
import { BASE, attendanceRoutes } from './http/attendance-routes.js'
import { errorHandler, notFound } from './http/errors.js'
import { healthRoutes } from './http/health-routes.js'
import { openApiDocument } from './http/openapi.js'
import { recordMetrics } from './http/record-metrics.js'
import { swaggerUi } from './http/swagger-ui.js'
import { createAppMetrics } from './metrics/app-metrics.js'
import { SharedSnapshots } from './metrics/shared-snapshots.js'
import { VERSION } from './version.js'

export function createApp(config: AppConfig): Express {
  const store = openStore(config)
  const cache = config.redisUrl ? openRedisCache(config.redisUrl) : noCache
  const metrics = createAppMetrics(VERSION)
  const shared = new SharedSnapshots(config.dataDir, metrics.registry)
  const spec = openApiDocument(VERSION)

  const app = express()
  app.disable('x-powered-by')
  app.use(recordMetrics(metrics, shared))
  app.use(express.json({ limit: '16kb' }))
  app.use(BASE, healthRoutes(store, cache))
  app.use(BASE, attendanceRoutes(store, cache))
  app.get('/apispec.json', (_req, res) => {
    res.json(spec)
  })
  app.use(swaggerUi())
  app.get('/metrics', async (_req, res) => {
    const { contentType, text } = await shared.scrape()
    res.type(contentType).send(text)
  })
  app.use(notFound)
  app.use(errorHandler)
  return app
}
