import { parseBind } from '../settings/bind-address.js'
import { UsageError } from '../settings/errors.js'
import { activatedBinds } from '../settings/socket-activation.js'
import type { Settings } from '../settings/types.js'
import type { WorkerClass } from './types.js'

/**
 * In the arbiter, at start and on HUP: whether `workerClass` can serve these settings. A class
 * that binds its own sockets can't serve a descriptor it would have to inherit; then the class's
 * own `checkSettings`. Every refusal is one UsageError line.
 */
export function checkWorkerClass(workerClass: WorkerClass, settings: Settings): void {
  const addresses = settings.bind.map(parseBind)
  const refuse = (why: string) => new UsageError(`worker class '${workerClass.name}' can't run with these settings: ${why}`)
  if (workerClass.sockets === 'self') {
    const inherited = settings.bind.find((spec) => parseBind(spec).kind === 'fd')
    if (inherited) {
      const what = activatedBinds() ? 'sockets passed by systemd socket activation' : `${inherited} (an inherited descriptor)`
      throw refuse(`it binds its own sockets (sockets: 'self') and can't serve ${what}; bind an address (HOST:PORT or unix:PATH) instead`)
    }
  }
  if (settings.certfile !== null && !workerClass.tls) {
    throw refuse(`it does not serve TLS (it declares no 'tls' capability), and --certfile is set: use -k sync, async, threads or uws, or end TLS at a proxy in front`)
  }
  try {
    workerClass.checkSettings?.(settings, addresses)
  } catch (error) {
    throw refuse((error as Error).message)
  }
}
