// Settings from the environment, or from the YAML file named by CONFIG_FILE in the original
// Flask service's shape (postgres: {...}, redis: {...}). The environment wins.
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

export interface AppConfig {
  /** postgres://… when PostgreSQL is used; undefined means the embedded SQLite file. */
  databaseUrl: string | undefined
  /** redis://… when the cache is on; undefined means no cache ("disabled"). */
  redisUrl: string | undefined
  /** Holds the SQLite database and the metrics snapshots of every worker. */
  dataDir: string
}

interface YamlShape {
  postgres?: { database?: string; host?: string; port?: number | string; user?: string; password?: string }
  redis?: { host?: string; port?: number | string; password?: string }
}

const appDir = resolve(dirname(fileURLToPath(import.meta.url)), '..')

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const file = env.CONFIG_FILE ? readYaml(env.CONFIG_FILE) : {}
  return {
    databaseUrl: nonEmpty(env.DATABASE_URL) ?? postgresUrl(file.postgres),
    redisUrl: nonEmpty(env.REDIS_URL) ?? redisUrl(file.redis),
    dataDir: resolve(nonEmpty(env.DATA_DIR) ?? resolve(appDir, 'data')),
  }
}

function readYaml(path: string): YamlShape {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new Error(`CONFIG_FILE ${path}: cannot read it (${(error as Error).message})`)
  }
  const parsed: unknown = parse(text)
  if (parsed !== null && parsed !== undefined && typeof parsed !== 'object') throw new Error(`CONFIG_FILE ${path}: expected a mapping with postgres: and redis:`)
  return (parsed ?? {}) as YamlShape
}

function postgresUrl(pg: YamlShape['postgres']): string | undefined {
  if (!pg?.host) return undefined
  const auth = pg.user ? `${encodeURIComponent(pg.user)}${pg.password ? `:${encodeURIComponent(String(pg.password))}` : ''}@` : ''
  return `postgres://${auth}${pg.host}:${pg.port ?? 5432}/${encodeURIComponent(pg.database ?? 'postgres')}`
}

function redisUrl(redis: YamlShape['redis']): string | undefined {
  if (!redis?.host) return undefined
  const auth = redis.password ? `:${encodeURIComponent(String(redis.password))}@` : ''
  return `redis://${auth}${redis.host}:${redis.port ?? 6379}`
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value
}
