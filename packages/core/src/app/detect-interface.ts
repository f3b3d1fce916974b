import { Server } from 'node:http'
import type { AppInterface } from '../settings/types.js'
import type { WebSocketHandler } from './fetch-websocket-types.js'
import { type App, type AppLifecycle, AppLoadError, type FetchHandler, type NodeListener, type NodeUpgrade, type UpgradeListener } from './types.js'

/** What the module exports beside the app: an upgrade listener, Bun-style websocket handlers, startup and shutdown. */
export interface AppExtras extends AppLifecycle {
  readonly upgrade?: UpgradeListener
  readonly websocket?: WebSocketHandler
}

type Fn = (...args: unknown[]) => unknown
const isFn = (v: unknown): v is Fn => typeof v === 'function'

/**
 * Turns an exported value into an App. Recognises node listeners (plain, Express, Connect),
 * `http.Server`s, Koa (`callback()`), Fastify (`ready()` then its router), fetch handlers and
 * objects with `fetch` (Hono). `forced` skips the guess where a function's shape is ambiguous.
 */
export async function toApp(value: unknown, name: string, forced: AppInterface, extras: AppExtras = {}): Promise<App> {
  const obj = value as Record<string, unknown> | null
  const lifecycle = { startup: extras.startup, shutdown: extras.shutdown }
  const upgrade = extras.upgrade ? { listener: extras.upgrade } : undefined
  if (value instanceof Server) {
    return node(name, (req, res) => value.emit('request', req, res), upgrade ?? serverUpgrade(value), lifecycle)
  }
  if (obj && typeof obj === 'object') {
    if (isFn(obj.fetch) && forced !== 'node') {
      const websocket = (obj.websocket as WebSocketHandler | undefined) ?? extras.websocket
      return fetch(name, obj.fetch.bind(obj) as FetchHandler, websocket, lifecycle)
    }
    if (isFn(obj.routing) && isFn(obj.ready) && isFn(obj.close)) {
      await obj.ready()
      // Fastify: its close() runs the onClose hooks (pools, clients) once requests have drained.
      const close = obj.close.bind(obj) as () => unknown
      const shutdown = extras.shutdown ?? close
      const own = obj.server instanceof Server ? serverUpgrade(obj.server) : undefined
      return node(name, obj.routing.bind(obj) as NodeListener, upgrade ?? own, { ...lifecycle, shutdown })
    }
    if (isFn(obj.callback) && isFn(obj.use) && forced !== 'fetch') return node(name, obj.callback() as NodeListener, upgrade, lifecycle)
  }
  if (isFn(value)) {
    const kind = forced !== 'auto' ? forced : value.length >= 2 ? 'node' : value.length === 1 ? 'fetch' : undefined
    if (kind === 'node') return node(name, value as NodeListener, upgrade, lifecycle)
    if (kind === 'fetch') return fetch(name, value as FetchHandler, extras.websocket, lifecycle)
    throw new AppLoadError(
      `can't tell whether ${name} is a node listener (req, res) or a fetch handler (request); pass --app-interface node or --app-interface fetch`,
    )
  }
  throw new AppLoadError(
    `${name} is ${describe(value)}, not an app: expected a (req, res) listener, a fetch handler, or an object with fetch()`,
  )
}

/** An exported server's own `'upgrade'` listeners (ws, socket.io), as Node would call them. */
function serverUpgrade(server: Server): NodeUpgrade {
  return { listener: (req, socket, head) => server.emit('upgrade', req, socket, head), server }
}

function node(description: string, listener: NodeListener, upgrade: NodeUpgrade | undefined, lifecycle: AppLifecycle): App {
  return { interface: 'node', listener, upgrade, description, ...lifecycle }
}

function fetch(description: string, handler: FetchHandler, websocket: WebSocketHandler | undefined, lifecycle: AppLifecycle): App {
  if (websocket !== undefined && !isFn((websocket as { message?: unknown })?.message)) {
    throw new AppLoadError(`${description}'s websocket handlers have no message(ws, message) function (Bun's websocket option needs one)`)
  }
  return { interface: 'fetch', fetch: handler, websocket, description, ...lifecycle }
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}
