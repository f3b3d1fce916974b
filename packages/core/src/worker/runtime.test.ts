import { describe, expect, it } from 'vitest'
import { Logger } from '../log/logger.js'
import { defaultSettings } from '../settings/catalog.js'
import type { Settings } from '../settings/types.js'
import type { WorkerMessage } from './messages.js'
import { Runtime } from './runtime.js'
import type { RequestView, ResponseView } from './types.js'

function runtime(overrides: Partial<Settings> = {}, selfBinding = false) {
  const sent: WorkerMessage[] = []
  const settings = { ...defaultSettings({}), app: 'app.js:app', ...overrides } as Settings
  const worker = new Runtime({
    age: 1,
    settings,
    app: undefined,
    appSource: { module: 'app.js:app', dir: '.', interface: 'auto' },
    sockets: [],
    log: new Logger({ level: 'critical', format: 'text', to: ['/dev/null'], syslog: null }),
    accessLog: undefined,
    send: (message) => sent.push(message),
    timeoutScope: 'loop',
    selfBinding,
  })
  return { worker, sent }
}

const view = (url = '/'): RequestView => ({ method: 'GET', url, httpVersion: '1.1', headers: {}, remoteAddress: '127.0.0.1', scheme: 'http' })
const ok: ResponseView = { statusCode: 200, bytes: 0, getHeader: () => undefined, aborted: false }

describe('the runtime request API', () => {
  it("marks the worker's last request before max-requests to close its connection, then stops gracefully", () => {
    const { worker, sent } = runtime({ maxRequests: 3 })
    const requests = [1, 2, 3].map(() => worker.beginRequest(view()))
    expect(requests.map((r) => r.closeConnection)).toEqual([false, false, true])
    requests[0]!.end(ok)
    requests[1]!.end(ok)
    expect(worker.stopSignal.aborted).toBe(false)
    requests[2]!.end(ok)
    expect(worker.stopMode).toBe('graceful')
    expect(sent).toEqual([{ type: 'retiring' }])
    expect(worker.inFlight).toBe(0)
  })

  it('keeps a self-binding worker serving past max-requests, closing each connection, until it is told to stop', () => {
    const { worker, sent } = runtime({ maxRequests: 1 }, true)
    worker.beginRequest(view()).end(ok)
    expect(sent).toEqual([{ type: 'retiring' }])
    expect(worker.stopSignal.aborted).toBe(false)
    const next = worker.beginRequest(view())
    expect(next.closeConnection).toBe(true)
    next.end(ok)
    expect(sent).toEqual([{ type: 'retiring' }])
  })

  it('tells every open request to end its connection when a stop begins, with its own view', () => {
    const { worker } = runtime()
    const told: string[] = []
    const mustClose = (request: RequestView) => told.push(request.url)
    const done = worker.beginRequest(view('/done'), mustClose)
    const open = worker.beginRequest(view('/open'), mustClose)
    done.end(ok)
    expect(open.closeConnection).toBe(false)
    worker.stop('graceful')
    expect(told).toEqual(['/open'])
    expect(open.closeConnection).toBe(true)
  })

  it('closes every connection with --keep-alive 0', () => {
    const { worker } = runtime({ keepalive: 0 })
    expect(worker.beginRequest(view()).closeConnection).toBe(true)
  })

  it('counts an end once, however often it is reported', () => {
    const { worker } = runtime({ maxRequests: 2 })
    const first = worker.beginRequest(view())
    first.end(ok)
    first.end(ok)
    expect(worker.stopSignal.aborted).toBe(false)
    expect(worker.inFlight).toBe(0)
  })

  it('admits a request once the preRequest hook has run, and refuses it when the hook throws', async () => {
    const seen: string[] = []
    const { worker } = runtime({ preRequest: (_, req) => void seen.push(req.url) })
    const request = worker.beginRequest(view('/hooked'))
    await request.admitted
    expect(seen).toEqual(['/hooked'])
    expect(runtime().worker.beginRequest(view()).admitted).toBeUndefined()
    const failing = runtime({ preRequest: () => Promise.reject(new Error('no')) }).worker.beginRequest(view())
    await expect(failing.admitted).rejects.toThrow('no')
  })

  it('gives the postRequest hook both views, and asks engines to measure bytes and headers and keep the peer for it', () => {
    const calls: Array<[string, number]> = []
    const { worker } = runtime({ postRequest: (_, req, res) => void calls.push([req.url, res.statusCode]) })
    expect(worker.needs).toEqual({ responseBytes: true, responseHeaders: true, remoteAddress: true })
    expect(runtime().worker.needs).toEqual({ responseBytes: false, responseHeaders: false, remoteAddress: false })
    worker.beginRequest(view('/x')).end({ ...ok, statusCode: 201 })
    expect(calls).toEqual([['/x', 201]])
  })

  it('says booted once, and heartbeats on demand', () => {
    const { worker, sent } = runtime({ timeout: 0 })
    worker.ready()
    worker.ready()
    worker.notify()
    expect(sent).toEqual([{ type: 'booted' }, { type: 'heartbeat' }])
  })
})
