// The bare baseline of bench/threads.mjs: node:http in the main thread sending every request to a
// piscina pool running the same handler, with no gu around it.
// usage: node threads-bare.mjs PORT THREADS
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
// bench/ has no dependencies of its own: piscina comes from the package that uses it.
const { Piscina } = createRequire(join(here, '../../packages/worker-threads/package.json'))('piscina')
const [port, threads] = process.argv.slice(2).map(Number)
const pool = new Piscina({ filename: join(here, 'threads-task.mjs'), minThreads: threads, maxThreads: threads })

createServer((req, res) => {
  pool.run(req.url).then(
    (body) => {
      if (body === undefined) return res.writeHead(404).end()
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) })
      res.end(body)
    },
    () => res.writeHead(500).end(),
  )
}).listen(port, '127.0.0.1', () => process.stderr.write(`Listening at: http://127.0.0.1:${port} (${process.pid})\n`))
