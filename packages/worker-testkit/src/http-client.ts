// Requests through node:http, each bounded in time; a fresh connection unless an agent is given.
import http from 'node:http'

export interface HttpResponse {
  readonly status: number
  readonly headers: http.IncomingHttpHeaders
  readonly body: Buffer
  readonly text: string
}

export interface RequestOptions {
  method?: string
  headers?: Record<string, string>
  body?: string | Buffer
  agent?: http.Agent | false
  timeoutMs?: number
}

export function request(url: string, options: RequestOptions = {}): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers, agent: options.agent ?? false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        const body = Buffer.concat(chunks)
        resolve({ status: res.statusCode!, headers: res.headers, body, text: body.toString('utf8') })
      })
      res.on('error', reject)
      res.on('aborted', () => reject(new Error('the response was cut short')))
    })
    const timeoutMs = options.timeoutMs ?? 10_000
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no complete response within ${timeoutMs / 1000}s`)))
    req.on('error', reject)
    req.end(options.body)
  })
}

/** The body of a 200; anything else rejects, saying what came instead. */
export async function getText(url: string, options: RequestOptions = {}): Promise<string> {
  const res = await request(url, options)
  if (res.status !== 200) throw new Error(`status ${res.status} for ${new URL(url).pathname}`)
  return res.text
}

/** The pid of the worker that served `/pid`. */
export async function servedBy(baseUrl: string, options: RequestOptions = {}): Promise<number> {
  return Number(await getText(`${baseUrl}/pid`, options))
}
