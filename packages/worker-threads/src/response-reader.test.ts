import http from 'node:http'
import net from 'node:net'
import { describe, expect, it } from 'vitest'
import { ResponseReader } from './response-reader.js'

interface Seen {
  heads: [number, string, string[]][]
  body: string
  trailers: Record<string, string> | undefined
  ended: number
}

function reader(headRequest = false): { reader: ResponseReader; seen: Seen } {
  const seen: Seen = { heads: [], body: '', trailers: undefined, ended: 0 }
  const sink = {
    responseHead: (status: number, message: string, headers: string[]) => void seen.heads.push([status, message, headers]),
    responseBody: (piece: Buffer) => void (seen.body += piece.toString('latin1')),
    responseEnd: (trailers: Record<string, string> | undefined) => {
      seen.trailers = trailers
      seen.ended++
    },
  }
  return { reader: new ResponseReader(sink, headRequest), seen }
}

/** Every way of cutting `wire` in two, so each state sees its input split. */
function eachSplit(wire: string, check: (seen: Seen) => void, headRequest = false): void {
  for (let cut = 0; cut <= wire.length; cut++) {
    const { reader: r, seen } = reader(headRequest)
    const bytes = Buffer.from(wire, 'latin1')
    r.write(bytes.subarray(0, cut))
    r.write(bytes.subarray(cut))
    check(seen)
  }
}

describe('ResponseReader', () => {
  it('reads a Content-Length body, however the writes fall', () => {
    eachSplit('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A:  b \r\n\r\nhello', (seen) => {
      expect(seen.heads).toEqual([[200, 'OK', ['Content-Length', '5', 'X-A', 'b']]])
      expect(seen.body).toBe('hello')
      expect(seen.ended).toBe(1)
    })
  })

  it('decodes chunked framing with trailers, and skips interim heads', () => {
    const wire = 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\na\r\n0123456789\r\n0\r\nX-Sum: 1\r\nx-sum: 2\r\n\r\n'
    eachSplit(wire, (seen) => {
      expect(seen.heads).toEqual([[201, 'Created', ['Transfer-Encoding', 'chunked']]])
      expect(seen.body).toBe('abc0123456789')
      expect(seen.trailers).toEqual({ 'x-sum': '1, 2' })
      expect(seen.ended).toBe(1)
    })
  })

  it('ends a chunked body without trailers', () => {
    eachSplit('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n', (seen) => {
      expect(seen.body).toBe('ok')
      expect(seen.trailers).toBeUndefined()
      expect(seen.ended).toBe(1)
    })
  })

  it('reads no body for HEAD, 204 and 304', () => {
    eachSplit('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n', (seen) => expect(seen.ended).toBe(1), true)
    eachSplit('HTTP/1.1 204 No Content\r\n\r\n', (seen) => expect(seen.ended).toBe(1))
    eachSplit('HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n', (seen) => expect(seen.ended).toBe(1))
  })

  it('reads an unframed body until the server ends the connection', () => {
    const { reader: r, seen } = reader()
    r.write(Buffer.from('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nab'))
    r.write(Buffer.from('cd'))
    expect(seen.ended).toBe(0)
    expect(r.end()).toBe(true)
    expect(seen.body).toBe('abcd')
  })

  it('says a response cut short is not complete', () => {
    const { reader: r } = reader()
    r.write(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc'))
    expect(r.end()).toBe(false)
  })

  it("reads what node's own ServerResponse writes", async () => {
    const server = http.createServer((_req, res) => {
      res.setHeader('Trailer', 'X-Done')
      res.write('one ')
      res.write(Buffer.from('two'))
      res.addTrailers({ 'X-Done': 'yes' })
      res.end()
    })
    const wire = await new Promise<string>((resolve, reject) => {
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number }
        const socket = net.connect(port, '127.0.0.1')
        let text = ''
        socket.on('data', (d: Buffer) => (text += d.toString('latin1')))
        socket.on('error', reject)
        socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
        socket.on('close', () => resolve(text))
      })
    })
    server.close()
    eachSplit(wire, (seen) => {
      expect(seen.heads[0]![0]).toBe(200)
      expect(seen.body).toBe('one two')
      expect(seen.trailers).toEqual({ 'x-done': 'yes' })
      expect(seen.ended).toBe(1)
    })
  })
})
