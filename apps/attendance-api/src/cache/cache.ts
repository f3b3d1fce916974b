// The search cache. Never throws: an outage means uncached answers, not failed requests.
export interface SearchCache {
  get(key: string): Promise<string | undefined>
  set(key: string, value: string): Promise<void>
  /** Drops every key that starts with `prefix`. */
  invalidate(prefix: string): Promise<void>
  health(): Promise<'up' | 'down' | 'disabled'>
  close(): Promise<void>
}

/** No REDIS_URL: no cache, reported as `disabled`. */
export const noCache: SearchCache = {
  get: async () => undefined,
  set: async () => {},
  invalidate: async () => {},
  health: async () => 'disabled',
  close: async () => {},
}
