// A plain node:http request listener: gu serves it on every worker process.
export function app(req, res) {
  const url = new URL(req.url ?? '/', 'http://localhost')
  if (url.pathname === '/json') {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ hello: 'world', pid: process.pid }))
    return
  }
  res.writeHead(200, { 'content-type': 'text/plain' })
  res.end(`Hello from gu worker ${process.pid}\n`)
}
