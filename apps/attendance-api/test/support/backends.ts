// Where the API tests' data lives: embedded SQLite always; a real PostgreSQL and Redis when
// DATABASE_URL and REDIS_URL name them (.ci/run starts both). Under CI=true their absence is a
// failure, not a skip.
import { randomUUID } from 'node:crypto'
import pg from 'pg'

export const CI = process.env.CI === 'true'
export const SERVICES_URLS = { database: process.env.DATABASE_URL, redis: process.env.REDIS_URL }
export const HAVE_SERVICES = Boolean(SERVICES_URLS.database && SERVICES_URLS.redis)
export const MISSING_SERVICES =
  'DATABASE_URL and REDIS_URL must name a PostgreSQL and a Redis for these tests (.ci/run starts them; locally: apt-get install -y postgresql redis-server, then source .ci/services.sh)'

/** A fresh database on the server DATABASE_URL names; drop() removes it. */
export async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `attendance_${randomUUID().replaceAll('-', '').slice(0, 12)}`
  const admin = new pg.Client({ connectionString: SERVICES_URLS.database })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(SERVICES_URLS.database!)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: SERVICES_URLS.database })
      await client.connect()
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await client.end()
    },
  }
}

/** A Redis database index of its own for one test file (flushed first), as a redis:// URL. */
export function redisDatabase(index: number): string {
  const url = new URL(SERVICES_URLS.redis!)
  url.pathname = `/${index}`
  return url.toString()
}
