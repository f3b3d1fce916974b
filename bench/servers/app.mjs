// The handler every side of the benchmark serves: a plain node:http request listener.
// `/` answers a short plaintext body, `/json` a small JSON object.
const TEXT = 'Hello, World!'

export function app(req, res) {
  if (req.url === '/json') {
    const body = JSON.stringify({ message: 'Hello, World!' })
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
    res.end(body)
    return
  }
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': TEXT.length })
  res.end(TEXT)
}

export default app
