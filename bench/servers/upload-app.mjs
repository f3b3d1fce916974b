// The slow-client benchmark's app: `POST /upload` reads its whole body, then answers its length
// (an upload endpoint, as a slow-body client would target); anything else answers `Hello, World!`.
const TEXT = 'Hello, World!'

export function app(req, res) {
  if (req.url === '/upload') {
    let length = 0
    req.on('data', (chunk) => (length += chunk.length))
    req.on('end', () => res.end(String(length)))
    return
  }
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': TEXT.length })
  res.end(TEXT)
}
