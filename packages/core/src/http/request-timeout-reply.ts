import type { Socket } from 'node:net'

const REQUEST_TIMEOUT = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 16\r\n\r\nRequest Timeout\n'

/**
 * Answers a client too slow to send its request: 408 and the connection closed, as node:http's own
 * header timeout does. Written to the socket itself, since the request may never have been parsed;
 * a response the app may still try to write then goes nowhere (node drops writes to a closed socket).
 */
export function answerRequestTimeout(socket: Socket): void {
  if (socket.destroyed) return
  if (socket.writable) socket.end(REQUEST_TIMEOUT)
  // Whatever else the client sends is not read; the socket closes once the 408 is flushed.
  socket.destroySoon()
  // A client that stops reading must not keep the socket (and its descriptor) open.
  setTimeout(() => socket.destroy(), 1000).unref()
}
