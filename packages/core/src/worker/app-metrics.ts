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
export function answerAppMetrics(chdir: string, log: Logger, send: (message: WorkerMessage) => void): void {
  let registry: Promise<PromRegistry | undefined> | undefined
  process.on('message', (message: unknown) => {
    if (!isCollectAppMetricsMessage(message)) return
    registry ??= findRegistry(chdir)
    void registry
      .then(async (found) => (found ? await found.getMetricsAsJSON() : []))
      .catch((error: unknown) => {
        log.debug(`Could not read the app's prom-client metrics: ${(error as Error)?.message ?? error}`)
        return []
      })
      .then((metrics) => send({ type: 'app-metrics', id: message.id, metrics }))
  })
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
