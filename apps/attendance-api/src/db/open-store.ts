import type { AppConfig } from '../config.js'
import { openPostgresStore } from './postgres-store.js'
import { openSqliteStore } from './sqlite-store.js'
import type { AttendanceStore } from './store.js'

/** PostgreSQL when DATABASE_URL (or the YAML postgres: section) names one, else embedded SQLite. */
export function openStore(config: AppConfig): AttendanceStore {
  return config.databaseUrl ? openPostgresStore(config.databaseUrl) : openSqliteStore(config.dataDir)
}

export function databaseKind(config: AppConfig): 'postgresql' | 'sqlite' {
  return config.databaseUrl ? 'postgresql' : 'sqlite'
}
