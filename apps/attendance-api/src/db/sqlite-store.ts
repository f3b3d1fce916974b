// The embedded database: one SQLite file under the data directory, shared by every worker
// process and thread. WAL lets readers and one writer work at once; the busy timeout makes a
// writer wait for another's lock instead of failing with SQLITE_BUSY.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { CREATE_TABLE } from './schema.js'
import { type AttendanceRecord, type AttendanceStore, DuplicateIdError } from './store.js'

const BUSY_TIMEOUT_MS = 5000

export function openSqliteStore(dataDir: string): AttendanceStore {
  mkdirSync(dataDir, { recursive: true })
  const db = new Database(join(dataDir, 'attendance.db'), { timeout: BUSY_TIMEOUT_MS })
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.exec(CREATE_TABLE)
  const insert = db.prepare('INSERT INTO attendance (id, name, status, date) VALUES (?, ?, ?, ?)')
  const byId = db.prepare<[string], AttendanceRecord>('SELECT id, name, status, date FROM attendance WHERE id = ?')
  const everything = db.prepare<[], AttendanceRecord>('SELECT id, name, status, date FROM attendance ORDER BY id')
  const one = db.prepare('SELECT 1')
  return {
    async create(r) {
      try {
        insert.run(r.id, r.name, r.status, r.date)
      } catch (error) {
        if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new DuplicateIdError(r.id)
        throw error
      }
    },
    async find(id) {
      return byId.get(id)
    },
    async all() {
      return everything.all()
    },
    async ping() {
      one.get()
    },
    async close() {
      db.close()
    },
  }
}
