import { Server } from 'node:http'
import type { AppInterface } from '../settings/types.js'
import { type App, AppLoadError, type FetchHandler, type NodeListener } from './types.js'

type Fn = (...args: unknown[]) => unknown
const isFn = (v: unknown): v is Fn => typeof v === 'function'

/**
 * Turns an exported value into an App. Recognises node listeners (plain, Express, Connect),
 * `http.Server`s, Koa (`callback()`), Fastify (`ready()` then its router), fetch handlers and
 * objects with `fetch` (Hono). `forced` skips the guess where a function's shape is ambiguous.
 */
export async function toApp(value: unknown, name: string, forced: AppInterface): Promise<App> {
  const obj = value as Record<string, unknown> | null
  if (value instanceof Server) {
    return node(name, (req, res) => value.emit('request', req, res))
  }
  if (obj && typeof obj === 'object') {
    if (isFn(obj.fetch) && forced !== 'node') return fetch(name, obj.fetch.bind(obj) as FetchHandler)
    if (isFn(obj.routing) && isFn(obj.ready)) {
      await obj.ready()
      return node(name, obj.routing.bind(obj) as NodeListener)
    }
    if (isFn(obj.callback) && isFn(obj.use) && forced !== 'fetch') return node(name, obj.callback() as NodeListener)
  }
  if (isFn(value)) {
    const kind = forced !== 'auto' ? forced : value.length >= 2 ? 'node' : value.length === 1 ? 'fetch' : undefined
    if (kind === 'node') return node(name, value as NodeListener)
    if (kind === 'fetch') return fetch(name, value as FetchHandler)
    throw new AppLoadError(
      `can't tell whether ${name} is a node listener (req, res) or a fetch handler (request); pass --app-interface node or --app-interface fetch`,
    )
  }
  throw new AppLoadError(
    `${name} is ${describe(value)}, not an app: expected a (req, res) listener, a fetch handler, or an object with fetch()`,
  )
}

function node(description: string, listener: NodeListener): App {
  return { interface: 'node', listener, description }
}

function fetch(description: string, handler: FetchHandler): App {
  return { interface: 'fetch', fetch: handler, description }
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}
