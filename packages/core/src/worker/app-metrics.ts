import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Logger } from '../log/logger.js'
import { isCollectAppMetricsMessage, type WorkerMessage } from './messages.js'

interface PromRegistry {
  getMetricsAsJSON(): Promise<unknown[]> | unknown[]
}

/**
 * With `--metrics-bind`: on each scrape the arbiter asks every worker for the app's own metrics.
 * They are read from the default registry of the prom-client the app itself resolves (from
 * `chdir`), so the app registers metrics as it always would; none found sends an empty list.
 */
export function answerAppMetrics(chdir: string, log: Logger, send: (message: WorkerMessage) => void, elsewhere: () => (() => Promise<unknown[]>) | undefined): void {
  const here = appMetricsReader(chdir)
  process.on('message', (message: unknown) => {
    if (!isCollectAppMetricsMessage(message)) return
    // A class that runs the app off this thread (threads) reads them where it runs.
    void (elsewhere() ?? here)()
      .catch((error: unknown) => {
        log.debug(`Could not read the app's prom-client metrics: ${(error as Error)?.message ?? error}`)
        return []
      })
      .then((metrics) => send({ type: 'app-metrics', id: message.id, metrics }))
  })
}

/** Reads the app's prom-client default registry (resolved from `chdir`) as JSON; [] without prom-client. */
export function appMetricsReader(chdir: string): () => Promise<unknown[]> {
  let registry: Promise<PromRegistry | undefined> | undefined
  return async () => {
    registry ??= findRegistry(chdir)
    const found = await registry
    return found ? await found.getMetricsAsJSON() : []
  }
}

async function findRegistry(chdir: string): Promise<PromRegistry | undefined> {
  let path: string
  try {
    path = createRequire(join(chdir, 'noop.js')).resolve('prom-client')
  } catch {
    return undefined
  }
  const module = (await import(pathToFileURL(path).href)) as { register?: PromRegistry; default?: { register?: PromRegistry } }
  return module.register ?? module.default?.register
}
