// The baseline of bench/fetch.mjs: a fetch app served by @hono/node-server in one process.
// usage: node fetch-node-server.mjs PORT APP_FILE
import { pathToFileURL } from 'node:url'
import { requireFromE2e } from './fetch-deps.mjs'

const { serve } = requireFromE2e('@hono/node-server')
const [port, file] = [Number(process.argv[2]), process.argv[3]]
const app = (await import(pathToFileURL(file).href)).default
const server = serve({ fetch: (request, env) => app.fetch(request, env), port, hostname: '127.0.0.1' }, () => {
  process.stderr.write(`Listening at: http://127.0.0.1:${port} (${process.pid})\n`)
})
server.keepAliveTimeout = 2000 // gu's default --keep-alive 2, so both sides speak the same headers
process.on('SIGINT', () => process.exit(0))
process.on('SIGTERM', () => process.exit(0))
