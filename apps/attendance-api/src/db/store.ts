// What the routes need from storage; SQLite and PostgreSQL each implement it.
export interface AttendanceRecord {
  id: string
  name: string
  status: string
  /** YYYY-MM-DD */
  date: string
}

export interface AttendanceStore {
  /** Inserts a record; throws DuplicateIdError when the id exists. */
  create(record: AttendanceRecord): Promise<void>
  find(id: string): Promise<AttendanceRecord | undefined>
  /** Every record, ordered by id. */
  all(): Promise<AttendanceRecord[]>
  /** Resolves when the database answers; rejects when it can't be reached. */
  ping(): Promise<void>
  close(): Promise<void>
}

export class DuplicateIdError extends Error {
  override readonly name = 'DuplicateIdError'
  constructor(readonly id: string) {
    super(`a record with id ${id} already exists`)
  }
}
