export function migratesQueuedConnections(): boolean
export const NO_MIGRATION: string
