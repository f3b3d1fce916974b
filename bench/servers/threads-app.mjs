// The threads benchmark's app: a CPU-bound endpoint (BENCH_HASH_KB of data hashed per request,
// 2048 by default) and a light one. `work` is the handler; `app` serves it as a node listener,
// and threads-task.mjs hands it to a bare piscina pool.
import { createHash, randomBytes } from 'node:crypto'

const DATA = randomBytes(Number(process.env.BENCH_HASH_KB ?? 2048) * 1024)

/** The body for `path`, or undefined for a 404. */
export function work(path) {
  if (path === '/cpu') return createHash('sha256').update(DATA).digest('hex')
  if (path === '/light' || path === '/') return 'ok'
  return undefined
}

export function app(req, res) {
  const body = work(req.url)
  if (body === undefined) return res.writeHead(404).end()
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}
