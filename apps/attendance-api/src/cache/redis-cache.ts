// A Redis cache shared by every worker. Commands fail fast while Redis is away (no offline
// queue, a short timeout), and the outage is logged once when it starts and once when it ends.
import { Redis } from 'ioredis'
import type { SearchCache } from './cache.js'

/** As in the original service. */
export const TTL_SECONDS = 20
const COMMAND_TIMEOUT_MS = 250

export function openRedisCache(url: string, warn: (message: string) => void = console.warn): SearchCache {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: 1000,
    // Keep trying to come back, at most every 2 s.
    retryStrategy: (times) => Math.min(times * 100, 2000),
    lazyConnect: false,
  })
  let down = false
  // Requests that arrive while the first connection is still being made are served uncached
  // without a warning: that is no outage. A Redis that can't be reached at all says so through
  // the client's 'error' event.
  let connectedOnce = false
  const failed = (error: unknown): void => {
    if (down) return
    down = true
    warn(`attendance-api: Redis cache unavailable, serving uncached until it is back (${(error as Error).message})`)
  }
  redis.on('error', failed)
  redis.on('ready', () => {
    if (down) warn('attendance-api: Redis cache is back')
    down = false
    connectedOnce = true
  })
  const attempt = async <T>(run: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await run()
    } catch (error) {
      if (connectedOnce) failed(error)
      return fallback
    }
  }
  return {
    get: (key) => attempt(async () => (await redis.get(key)) ?? undefined, undefined),
    set: (key, value) => attempt(async () => void (await redis.set(key, value, 'EX', TTL_SECONDS)), undefined),
    invalidate: (prefix) =>
      attempt(async () => {
        const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`
        let cursor = '0'
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 200)
          if (keys.length > 0) await redis.del(...keys)
          cursor = next
        } while (cursor !== '0')
      }, undefined),
    health: async () => {
      try {
        await redis.ping()
        return 'up'
      } catch (error) {
        if (connectedOnce) failed(error)
        return 'down'
      }
    },
    close: async () => {
      redis.disconnect()
    },
  }
}
