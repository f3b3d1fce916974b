// A node:http2 prior-knowledge client that remembers what each session was told.
import { type ClientHttp2Session, connect, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2'

export interface H2Response {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

export interface Session {
  readonly http2: ClientHttp2Session
  /** The last stream id of each GOAWAY received. */
  readonly goaways: number[]
  /** Resolves once the session has closed. */
  readonly closed: Promise<void>
}

export function openSession(url: string): Promise<Session> {
  const http2 = connect(url)
  const goaways: number[] = []
  http2.on('goaway', (_code, lastStreamID) => goaways.push(lastStreamID))
  // A session the server ended is no failure here; its streams report their own errors.
  http2.on('error', () => {})
  const closed = new Promise<void>((resolve) => http2.once('close', () => resolve()))
  return new Promise((resolve, reject) => {
    http2.once('connect', () => resolve({ http2, goaways, closed }))
    http2.once('error', reject)
  })
}

export function request(session: Session, headers: OutgoingHttpHeaders, body?: string): Promise<H2Response> {
  return new Promise((resolve, reject) => {
    const stream = session.http2.request(headers, { endStream: body === undefined })
    let text = ''
    let head: IncomingHttpHeaders = {}
    stream.setEncoding('utf8')
    stream.on('response', (h) => (head = h))
    stream.on('data', (chunk: string) => (text += chunk))
    stream.on('end', () => resolve({ status: Number(head[':status']), headers: head, body: text }))
    stream.on('error', reject)
    if (body !== undefined) stream.end(body)
  })
}

export const get = (session: Session, path: string) => request(session, { ':path': path })
