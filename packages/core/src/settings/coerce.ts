import type { SettingSpec } from './spec.js'

/**
 * Turns a value from the command line (a string) or a config file (any JSON-ish value) into the
 * setting's type. Returns the value, or throws a message that says what is accepted.
 */
export function coerce(spec: SettingSpec, value: unknown): unknown {
  if (value === null && spec.nullable) return null
  const parsed = parse(spec, value)
  const why = spec.check?.(parsed as never)
  if (why) throw new Error(why)
  return parsed
}

function parse(spec: SettingSpec, value: unknown): unknown {
  switch (spec.kind) {
    case 'string':
      if (typeof value !== 'string') throw new Error(`expected a string, got ${describe(value)}`)
      return value
    case 'bool':
      if (typeof value === 'boolean') return value
      if (value === 'true' || value === 'false') return value === 'true'
      throw new Error(`expected true or false, got ${describe(value)}`)
    case 'choice':
      if (typeof value !== 'string' || !spec.choices?.includes(value)) {
        throw new Error(`expected one of ${spec.choices?.join(', ')}, got ${describe(value)}`)
      }
      return value
    case 'list': {
      const items = Array.isArray(value) ? value : [value]
      if (!items.every((item) => typeof item === 'string')) throw new Error(`expected strings, got ${describe(value)}`)
      return items
    }
    case 'int':
    case 'number': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
      const whole = spec.kind === 'int'
      const min = spec.min ?? -Infinity
      if (typeof n !== 'number' || !Number.isFinite(n) || (whole && !Number.isInteger(n)) || n < min) {
        throw new Error(`expected ${whole ? 'a whole number' : 'a number'}${Number.isFinite(min) ? ` ≥ ${min}` : ''}, got ${describe(value)}`)
      }
      return n
    }
  }
}

function describe(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value) ?? String(value)
}
