// Pair (a)'s `--plain` baseline: a gu worker class serving the app on a plain node:http server,
// without gu's request path (no request rules, connection guard or runtime request API). The
// process, its accept and its sockets are gu's, so `gu -k async` against it is the request path's
// own cost, and this against bare node:http is the worker process's.
import { createServer } from 'node:http'
import { CONTRACT_VERSION, listenBalanced, stopRequested } from '../../packages/core/dist/index.js'

export default {
  contract: CONTRACT_VERSION,
  name: 'plain-async (bench baseline)',
  sockets: 'inherit',
  async run(worker) {
    const servers = worker.sockets.map(() => {
      const server = createServer(worker.app.listener)
      server.keepAliveTimeout = Math.max(1, worker.settings.keepalive * 1000)
      return server
    })
    await listenBalanced(servers, worker)
    worker.ready()
    await stopRequested(worker)
  },
}
