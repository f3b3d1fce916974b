// The one schema, for both databases. Applied with IF NOT EXISTS, so every worker can run it.
export const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS attendance (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  status TEXT NOT NULL,
  date DATE NOT NULL
)`
