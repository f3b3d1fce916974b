// A request gu refuses before the app sees it: the status, and a one-line reason for the client.

export type RefusalStatus = 400 | 408 | 413 | 414 | 417 | 431 | 501 | 505

export interface Refusal {
  readonly status: RefusalStatus
  readonly reason: string
}

export const REFUSAL_TEXT: Readonly<Record<RefusalStatus, string>> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  413: 'Content Too Large',
  414: 'URI Too Long',
  417: 'Expectation Failed',
  431: 'Request Header Fields Too Large',
  501: 'Not Implemented',
  505: 'HTTP Version Not Supported',
}

/** The small plain-text body every refusal carries: status, text and why, no stack. */
export function refusalBody(refusal: Refusal): string {
  return `${refusal.status} ${REFUSAL_TEXT[refusal.status]}: ${refusal.reason}\n`
}

/** The whole response, for engines that write bytes themselves; the connection closes after it. */
export function refusalResponse(refusal: Refusal): string {
  const body = refusalBody(refusal)
  return `HTTP/1.1 ${refusal.status} ${REFUSAL_TEXT[refusal.status]}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
}
