const pad = (n: number) => String(n).padStart(2, '0')

/** The local zone's offset at `date`, as `+0100` / `-0700`. */
export function zoneOffset(date: Date): string {
  const offset = -date.getTimezoneOffset()
  return `${offset >= 0 ? '+' : '-'}${pad(Math.floor(Math.abs(offset) / 60))}${pad(Math.abs(offset) % 60)}`
}

/** `2026-11-24 10:00:00 +0000`, local time with offset, as Gunicorn writes it (`%Y-%m-%d %H:%M:%S %z`). */
export function timestamp(date: Date): string {
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())} ${zoneOffset(date)}`
  )
}
