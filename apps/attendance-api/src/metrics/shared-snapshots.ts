// Metrics summed over every worker process (and thread). Each worker writes its registry's
// snapshot (prom-client's getMetricsAsJSON) as a row of a small SQLite file in the data directory,
// at most every FLUSH_MS while it serves; a scrape writes its own fresh row and sums every row
// with prom-client's AggregatorRegistry.aggregate. Rows of processes that have exited are folded,
// in the same transaction, into one `retired` row, so the totals never go backwards when a worker
// is replaced and the table does not grow with every replacement.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { threadId } from 'node:worker_threads'
import Database from 'better-sqlite3'
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue, type Registry } from 'prom-client'

type Snapshot = MetricObjectWithValues<MetricValue<string>>[]

const FLUSH_MS = 100
const FILE = 'metrics.db'

export class SharedSnapshots {
  readonly #db: Database.Database
  readonly #registry: Registry
  readonly #key = `${process.pid}:${threadId}`
  #lastFlush = 0
  #timer: NodeJS.Timeout | undefined

  constructor(dataDir: string, registry: Registry) {
    mkdirSync(dataDir, { recursive: true })
    this.#registry = registry
    this.#db = new Database(join(dataDir, FILE), { timeout: 5000 })
    this.#db.pragma('journal_mode = WAL')
    this.#db.pragma('synchronous = NORMAL')
    this.#db.exec(`CREATE TABLE IF NOT EXISTS live (worker TEXT PRIMARY KEY, pid INTEGER NOT NULL, snapshot TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS retired (id INTEGER PRIMARY KEY CHECK (id = 1), snapshot TEXT NOT NULL)`)
  }

  /** Called after each request: publish now if the last publish is old, else soon. */
  changed(): void {
    if (this.#timer) return
    const wait = Math.max(0, this.#lastFlush + FLUSH_MS - Date.now())
    this.#timer = setTimeout(() => void this.publish().catch(() => {}), wait)
    this.#timer.unref()
  }

  /** Writes this worker's current snapshot. */
  async publish(): Promise<void> {
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#lastFlush = Date.now()
    const snapshot = JSON.stringify(await this.#registry.getMetricsAsJSON())
    this.#db.prepare('INSERT INTO live (worker, pid, snapshot) VALUES (?, ?, ?) ON CONFLICT (worker) DO UPDATE SET snapshot = excluded.snapshot').run(this.#key, process.pid, snapshot)
  }

  /** The Prometheus text of every worker's metrics summed, this one's counted up to now. */
  async scrape(): Promise<{ contentType: string; text: string }> {
    await this.publish()
    const snapshots = this.#db.transaction(() => {
      this.#foldExited()
      const rows = this.#db.prepare<[], { snapshot: string }>('SELECT snapshot FROM retired UNION ALL SELECT snapshot FROM live').all()
      return rows.map((row) => JSON.parse(row.snapshot) as Snapshot)
    }).immediate()
    const summed = AggregatorRegistry.aggregate(snapshots)
    return { contentType: summed.contentType, text: await summed.metrics() }
  }

  close(): void {
    clearTimeout(this.#timer)
    this.#db.close()
  }

  #foldExited(): void {
    const rows = this.#db.prepare<[], { worker: string; pid: number; snapshot: string }>('SELECT worker, pid, snapshot FROM live').all()
    const exited = rows.filter((row) => !isAlive(row.pid))
    if (exited.length === 0) return
    const retired = this.#db.prepare<[], { snapshot: string }>('SELECT snapshot FROM retired WHERE id = 1').get()
    const merged = sum([...(retired ? [retired.snapshot] : []), ...exited.map((row) => row.snapshot)].map((s) => JSON.parse(s) as Snapshot))
    this.#db.prepare('INSERT INTO retired (id, snapshot) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET snapshot = excluded.snapshot').run(JSON.stringify(merged))
    const drop = this.#db.prepare('DELETE FROM live WHERE worker = ?')
    for (const row of exited) drop.run(row.worker)
  }
}

/** Sums snapshots synchronously (inside a transaction): aggregate() yields plain metric objects. */
function sum(snapshots: Snapshot[]): Snapshot {
  const registry = AggregatorRegistry.aggregate(snapshots)
  return registry.getMetricsAsArray().map((metric) => {
    const { get: _get, ...plain } = metric as unknown as Snapshot[number] & { get: unknown }
    return plain as Snapshot[number]
  })
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Starts the totals afresh (the arbiter's onStarting): rows left by an earlier run are not ours. */
export function resetSharedSnapshots(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true })
  const db = new Database(join(dataDir, FILE), { timeout: 5000 })
  try {
    db.exec('DROP TABLE IF EXISTS live; DROP TABLE IF EXISTS retired')
  } finally {
    db.close()
  }
}
