// The create payload: exactly id, name, status and date, all strings, the date a real YYYY-MM-DD.
import type { AttendanceRecord } from '../db/store.js'

export interface FieldError {
  field: string
  message: string
}

const FIELDS = ['id', 'name', 'status', 'date'] as const
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/** The list of what is wrong (empty when the payload is a valid record). */
export function validateRecord(body: unknown): FieldError[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [{ field: '(body)', message: 'must be a JSON object' }]
  const record = body as Record<string, unknown>
  const errors: FieldError[] = []
  for (const field of FIELDS) {
    if (!(field in record)) errors.push({ field, message: 'is required' })
    else if (typeof record[field] !== 'string') errors.push({ field, message: 'must be a string' })
    else if (record[field] === '') errors.push({ field, message: 'must not be empty' })
  }
  for (const key of Object.keys(record)) if (!(FIELDS as readonly string[]).includes(key)) errors.push({ field: key, message: 'is not allowed' })
  if (typeof record.date === 'string' && record.date !== '' && !isCalendarDate(record.date)) {
    errors.push({ field: 'date', message: 'must be a real date in the form YYYY-MM-DD' })
  }
  return errors
}

export function asRecord(body: unknown): AttendanceRecord {
  const { id, name, status, date } = body as AttendanceRecord
  return { id, name, status, date }
}

function isCalendarDate(text: string): boolean {
  const match = DATE.exec(text)
  if (!match) return false
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const date = new Date(Date.UTC(year, month - 1, day))
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
}
