// Requests on fresh connections (no keep-alive agent), so the kernel may hand each to any worker.
import http from 'node:http'

export interface Reply {
  status: number
  headers: http.IncomingHttpHeaders
  text: string
  /** The body parsed as JSON (undefined when it isn't JSON). */
  json: any
}

export function call(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: { connection: 'close', ...options.headers }, agent: false }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (d) => (text += d))
      res.on('end', () => {
        let json: unknown
        try {
          json = JSON.parse(text)
        } catch {}
        resolve({ status: res.statusCode!, headers: res.headers, text, json })
      })
    })
    req.setTimeout(15_000, () => req.destroy(new Error(`${options.method ?? 'GET'} ${url} timed out`)))
    req.on('error', reject)
    req.end(options.body)
  })
}

export function postJson(url: string, body: unknown): Promise<Reply> {
  return call(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
}
