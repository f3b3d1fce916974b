// PostgreSQL through a pg pool. Every statement is a single parameterised query on a pooled
// connection, so a failed write leaves no open transaction behind to poison the next request.
import pg from 'pg'
import { CREATE_TABLE } from './schema.js'
import { type AttendanceRecord, type AttendanceStore, DuplicateIdError } from './store.js'

const UNIQUE_VIOLATION = '23505'
// Any fixed key: several workers migrating at once queue on it instead of racing on pg_type.
const MIGRATION_LOCK = 4_213_013

export function openPostgresStore(url: string): AttendanceStore {
  const pool = new pg.Pool({
    connectionString: url,
    max: Number(process.env.PG_POOL_SIZE ?? 4),
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30_000,
  })
  // An idle client losing its server must not crash the worker; the next query reconnects.
  pool.on('error', (error) => console.warn(`attendance-api: idle PostgreSQL connection lost: ${error.message}`))
  // Migrate on first use, not at load: a database that is down at boot gives 503s (and a
  // health check that says so) until it is back, instead of a worker that can't start.
  let migrated: Promise<void> | undefined
  const ready = (): Promise<void> =>
    (migrated ??= migrate(pool).catch((error: unknown) => {
      migrated = undefined
      throw error
    }))
  // DATE comes back as the text PostgreSQL sends (YYYY-MM-DD), not a local-time Date.
  const select = "SELECT id, name, status, to_char(date, 'YYYY-MM-DD') AS date FROM attendance"
  return {
    async create(r) {
      await ready()
      try {
        await pool.query('INSERT INTO attendance (id, name, status, date) VALUES ($1, $2, $3, $4)', [r.id, r.name, r.status, r.date])
      } catch (error) {
        if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw new DuplicateIdError(r.id)
        throw error
      }
    },
    async find(id) {
      await ready()
      const { rows } = await pool.query<AttendanceRecord>(`${select} WHERE id = $1`, [id])
      return rows[0]
    },
    async all() {
      await ready()
      // Byte order, as SQLite sorts, whatever the database's locale.
      return (await pool.query<AttendanceRecord>(`${select} ORDER BY id COLLATE "C"`)).rows
    },
    async ping() {
      await ready()
      await pool.query('SELECT 1')
    },
    async close() {
      await pool.end()
    },
  }
}

async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
    await client.query(CREATE_TABLE)
    await client.query('COMMIT')
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {})
    throw error
  } finally {
    client.release()
  }
}
