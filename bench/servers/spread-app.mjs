// The spread benchmark's handler: `GET /` answers at once, `GET /cpu` after 5 ms of CPU work
// (a busy loop: the event loop is blocked, as with real CPU-bound code).
const CPU_MS = 5

export function app(req, res) {
  if (req.url === '/cpu') {
    const end = process.hrtime.bigint() + BigInt(CPU_MS * 1e6)
    while (process.hrtime.bigint() < end);
  }
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '13' })
  res.end('Hello, World!')
}
