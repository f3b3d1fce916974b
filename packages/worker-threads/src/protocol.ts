// What crosses the thread boundary: the task piscina carries, and the messages of each request's
// exchange on its thread's one long-lived MessagePort, told apart by the request's id. Bodies
// travel as transferred ArrayBuffers (copied once per hop).
import type { MessagePort } from 'node:worker_threads'
import type { ProxyTrustSettings } from '@gu/core'

/** The request head, as the main thread's node:http parsed it. */
export interface RequestHead {
  readonly method: string
  readonly url: string
  readonly httpVersion: string
  /** As received: names in their casing, duplicates kept ([name, value, name, value, …]). */
  readonly rawHeaders: string[]
  readonly remoteAddress: string | undefined
  readonly remotePort: number | undefined
  readonly remoteFamily: string | undefined
  readonly localAddress: string | undefined
  readonly localPort: number | undefined
  readonly encrypted: boolean
  /** No Content-Length or Transfer-Encoding: no body follows, and no `end` message either. */
  readonly bodyless: boolean
}

/** One piscina task: one request. */
export interface Task {
  /** Unique among the process's requests in flight; also its slot in the shared request board. */
  readonly id: number
  readonly head: RequestHead
}

/** Main thread → thread, on the thread's port: one message of request `id`'s exchange. */
export type ToThreadMessage = ToThread & { readonly id: number }

/** Thread → main thread, on the thread's port: every message of one turn of the thread's loop for request `id`. */
export interface FromThreadBatch {
  readonly id: number
  readonly m: FromThread[]
}

/** Main thread → thread. */
export type ToThread =
  | { readonly t: 'data'; readonly b: ArrayBuffer }
  | { readonly t: 'end'; readonly trailers?: Record<string, string> }
  /** The thread may send `n` more response bytes. */
  | { readonly t: 'ack'; readonly n: number }
  /** The client went away. */
  | { readonly t: 'abort' }

/** Thread → main thread, in batches: every message of one turn of the thread's loop in one post. */
export type FromThread =
  /** A request with a body began running in a thread: send the body (bodyless ones say nothing; see RequestBoard). */
  | { readonly t: 'start' }
  | { readonly t: 'head'; readonly status: number; readonly message: string; readonly headers: string[]; readonly close: boolean }
  | { readonly t: 'data'; readonly b: ArrayBuffer }
  | { readonly t: 'end'; readonly trailers?: Record<string, string> }
  /** The main thread may send `n` more request bytes. */
  | { readonly t: 'ack'; readonly n: number }
  /** The response can't be completed (the app destroyed it): cut the connection. */
  | { readonly t: 'abort' }
  /** The app failed on this request; the main thread logs it. */
  | { readonly t: 'error'; readonly message: string; readonly stack: string | undefined }

/** Bytes one side may send before the other acknowledges them, per request and direction. */
export const WINDOW_BYTES = 256 * 1024
/** Acknowledgements go out in steps of this many bytes (or when a socket drains), not per chunk. */
export const ACK_BYTES = WINDOW_BYTES / 4

/** What a thread posts on its parentPort (piscina's pool emits it as 'message') once it has loaded the app, or failed to. */
export type LoadReport =
  /** `port`: the thread's end of the channel every request's exchange with it travels on. */
  | { readonly gu: 'loaded'; readonly threadId: number; readonly port: MessagePort }
  | { readonly gu: 'failed'; readonly threadId: number; readonly message: string; readonly code: string | undefined }

/** On a thread's port, beside the requests' messages: stop the app (main → thread), and its answer. */
export type AppStop = { readonly gu: 'stop' } | { readonly gu: 'stopped'; readonly errors: string[] }

/** `--metrics-bind`: a scrape asks each thread for its app's prom-client metrics; `n` pairs the answer. */
export type ThreadMetrics = { readonly gu: 'metrics'; readonly n: number } | { readonly gu: 'metrics'; readonly n: number; readonly metrics: unknown[] }

/** `--reload`: files the app loaded in a thread (thread → main thread), for the arbiter to watch. */
export interface ThreadFiles {
  readonly gu: 'files'
  readonly files: string[]
}

export function isLoadReport(message: unknown): message is LoadReport {
  const gu = (message as { gu?: unknown } | null)?.gu
  return gu === 'loaded' || gu === 'failed'
}

/** `workerData` of every thread. */
export interface ThreadData {
  /** Whose forwarding headers the fetch adapter in the thread believes, as in the main thread. */
  readonly proxyTrust: ProxyTrustSettings
  readonly appSource: import('@gu/core').AppSource
  /** The RequestBoard's memory, shared by the main thread and every thread. */
  readonly board: SharedArrayBuffer
  /** `--reload`: report the files the app loads in the thread. */
  readonly reload: boolean
  /** Where the app's prom-client is resolved from. */
  readonly chdir: string
}

/** One copy of `pieces`, end to end, into a buffer of its own, which can then be transferred (never detach a caller's buffer). */
export function ownBuffer(...pieces: Uint8Array[]): ArrayBuffer {
  let size = 0
  for (const piece of pieces) size += piece.byteLength
  const copy = new Uint8Array(size)
  let at = 0
  for (const piece of pieces) {
    copy.set(piece, at)
    at += piece.byteLength
  }
  return copy.buffer
}
