// What crosses the thread boundary: the task piscina carries, and the messages of one request's
// exchange on its own MessagePort. Bodies travel as transferred ArrayBuffers (copied once per hop).
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
  readonly localAddress: string | undefined
  readonly localPort: number | undefined
  readonly encrypted: boolean
  /** No Content-Length or Transfer-Encoding: no body follows, and no `end` message either. */
  readonly bodyless: boolean
}

/** One piscina task: one request. */
export interface Task {
  readonly head: RequestHead
  readonly port: MessagePort
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
  /** The task began running in a thread (the per-request deadline counts from here). */
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

/** What a thread reports on the pool's channel once it has loaded the app (or failed to). */
export type LoadReport =
  | { readonly threadId: number; readonly ok: true }
  | { readonly threadId: number; readonly ok: false; readonly message: string; readonly code: string | undefined }

/** `workerData` of every thread. */
export interface ThreadData {
  /** Whose forwarding headers the fetch adapter in the thread believes, as in the main thread. */
  readonly proxyTrust: ProxyTrustSettings
  readonly appSource: import('@gu/core').AppSource
  /** The BroadcastChannel name load reports go to. */
  readonly channel: string
}

/** One copy into a buffer of its own, which can then be transferred (never detach a caller's buffer). */
export function ownBuffer(chunk: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(chunk.byteLength)
  copy.set(chunk)
  return copy.buffer
}
