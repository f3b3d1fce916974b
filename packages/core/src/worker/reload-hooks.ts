// Module customization hooks for `--reload`, registered in a worker before it loads the app (see
// loaded-files.ts). They run on Node's hooks thread and report the URL of every module resolved
// from then on back to the worker over the MessagePort passed in `data`. They change nothing.
import type { MessagePort } from 'node:worker_threads'

interface ResolveResult {
  url: string
}

let port: MessagePort | undefined

export function initialize(data: { port: MessagePort }): void {
  port = data.port
  // The worker asks for a flush before it reports (a load that failed): the reply follows every
  // URL posted before it on the same port.
  port.on('message', (token: unknown) => port?.postMessage({ flushed: token }))
  port.unref()
}

export async function resolve(specifier: string, context: unknown, nextResolve: (specifier: string, context: unknown) => Promise<ResolveResult>): Promise<ResolveResult> {
  const result = await nextResolve(specifier, context)
  if (result.url.startsWith('file:') && !result.url.includes('/node_modules/')) port?.postMessage(result.url)
  return result
}

export async function load(url: string, context: unknown, nextLoad: (url: string, context: unknown) => Promise<unknown>): Promise<unknown> {
  // A loader earlier in the chain (tsx) may resolve without calling on: what it loads shows here.
  if (url.startsWith('file:') && !url.includes('/node_modules/')) port?.postMessage(url)
  return nextLoad(url, context)
}
