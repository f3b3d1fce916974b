import { resolve } from 'node:path'
import { ControlCommands } from '../control/control-commands.js'
import { ControlServer } from '../control/control-server.js'
import type { Logger } from '../log/logger.js'
import { MemoryGuard } from '../metrics/memory-guard.js'
import { MetricsServer } from '../metrics/metrics-server.js'
import { StatsdSender } from '../metrics/statsd.js'
import { WorkerStatsStore } from '../metrics/worker-stats-store.js'
import type { Settings } from '../settings/types.js'
import type { Arbiter } from './arbiter.js'

/**
 * Starts what lives beside the arbiter, fed by its events: the workers' stats, the control
 * socket, the Prometheus endpoint, statsd and the memory guard. Each starts once the sockets are
 * bound and stops when the arbiter starts to stop. Their addresses are read at start (not on HUP).
 */
export function attachOperatorTools(arbiter: Arbiter, settings: Settings, log: Logger): void {
  arbiter.events.onListenerError = (error) => log.error('A module beside the arbiter failed (it carries on)', error)
  const store = new WorkerStatsStore(arbiter.events)
  new MemoryGuard(arbiter, log)
  const closers: Array<() => void> = []
  arbiter.events.once('started', () => {
    if (settings.controlSocket) {
      const mode = parseInt(settings.controlSocketMode, 8)
      const server = new ControlServer(resolve(settings.chdir, settings.controlSocket), mode, new ControlCommands(arbiter, store, log), log)
      closers.push(() => server.close())
      void server.listen(arbiter.snapshot.oldArbiterPid !== undefined)
    }
    if (settings.metricsBind) {
      const metrics = new MetricsServer(arbiter, store, log)
      closers.push(() => metrics.close())
      metrics.listen(settings.metricsBind)
    }
    // statsd stays to the end: the workers' last totals arrive as they stop.
    if (settings.statsdHost) new StatsdSender(arbiter, settings.statsdHost, settings.statsdPrefix, settings.dogstatsdTags, log)
  })
  arbiter.events.once('stopping', () => {
    for (const close of closers) close()
  })
}
