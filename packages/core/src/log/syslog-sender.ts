import { createSocket as createUdpSocket, type Socket as UdpSocket } from 'node:dgram'
import { connect, type Socket } from 'node:net'
import type { LogLevel } from '../settings/types.js'
import { reportOnce } from './report-once.js'
import { formatSyslogAddress, type SyslogAddress } from './syslog-address.js'
import { type SyslogFacility, type SyslogFormat, syslogMessage, syslogTag } from './syslog-frame.js'
import { createUnixDgramSocket, type UnixDgramSocket } from './unix-dgram.js'

export interface SyslogPlan {
  readonly address: SyslogAddress
  readonly facility: SyslogFacility
  readonly format: SyslogFormat
  /** The program name in each line is `gu.<prefix>.error` or `gu.<prefix>.access`, as Gunicorn's `gunicorn.<prefix>.error`. */
  readonly prefix: string
}

/** A stream transport that is down keeps at most this many messages for when it is back. */
const MAX_QUEUED = 1000
const RETRY_MS = [100, 500, 1000, 5000]
const report = reportOnce()

/**
 * Sends one log's lines to syslog, never blocking and never throwing: a syslog that is down or
 * unreachable is reported once on stderr and its lines are dropped (datagrams) or queued, up to
 * a bound, until it is back (streams, reconnected with back-off).
 */
export class SyslogSender {
  readonly #plan: SyslogPlan
  readonly #tag: string
  readonly #label: string
  readonly #transport: Transport

  constructor(plan: SyslogPlan, log: 'error' | 'access') {
    this.#plan = plan
    this.#tag = syslogTag(`gu.${plan.prefix}.${log}`)
    this.#label = `syslog ${formatSyslogAddress(plan.address)}`
    const fail = (error: Error) => report(this.#label, error)
    this.#transport = plan.address.transport === 'udp' ? new Udp(plan.address, fail)
      : plan.address.transport === 'unix-dgram' ? new UnixDgram(plan.address.path, fail)
      : new Stream(plan.address, plan.format, fail)
  }

  send(level: LogLevel, body: string): void {
    this.#transport.send(Buffer.from(syslogMessage(this.#plan.format, this.#plan.facility, level, this.#tag, body)))
  }

  /** Resolves once what was sent has left (or after `ms`): before the process exits. */
  flush(ms = 1000): Promise<void> {
    return this.#transport.flush(ms)
  }

  close(): void {
    this.#transport.close()
  }
}

interface Transport {
  send(message: Buffer): void
  flush(ms: number): Promise<void>
  close(): void
}

/** Counts sends not yet called back, so a flush can wait for them. */
class Pending {
  #count = 0
  #idle: Array<() => void> = []
  begin(): void {
    this.#count++
  }
  end(): void {
    if (--this.#count > 0) return
    for (const resolve of this.#idle.splice(0)) resolve()
  }
  wait(ms: number): Promise<void> {
    if (this.#count === 0) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms)
      this.#idle.push(() => {
        clearTimeout(timer)
        resolve()
      })
    })
  }
}

class Udp implements Transport {
  readonly #socket: UdpSocket
  readonly #fail: (error: Error) => void
  readonly #pending = new Pending()

  constructor(address: { host: string; port: number }, fail: (error: Error) => void) {
    this.#fail = fail
    this.#socket = createUdpSocket(address.host.includes(':') ? 'udp6' : 'udp4')
    this.#socket.on('error', fail)
    this.#socket.unref()
    this.#target = [address.port, address.host]
  }
  readonly #target: [number, string]

  send(message: Buffer): void {
    this.#pending.begin()
    this.#socket.send(message, ...this.#target, (error) => {
      if (error) this.#fail(error)
      this.#pending.end()
    })
  }
  flush(ms: number): Promise<void> {
    return this.#pending.wait(ms)
  }
  close(): void {
    this.#socket.close()
  }
}

class UnixDgram implements Transport {
  readonly #socket: UnixDgramSocket | undefined
  readonly #path: string
  readonly #fail: (error: Error) => void
  readonly #pending = new Pending()

  constructor(path: string, fail: (error: Error) => void) {
    this.#path = path
    this.#fail = fail
    try {
      this.#socket = createUnixDgramSocket()
      this.#socket.on('error', fail)
    } catch (error) {
      fail(error as Error)
    }
  }
  send(message: Buffer): void {
    if (!this.#socket) return
    this.#pending.begin()
    this.#socket.send(message, 0, message.length, this.#path, (error) => {
      if (error) this.#fail(error)
      this.#pending.end()
    })
  }
  flush(ms: number): Promise<void> {
    return this.#pending.wait(ms)
  }
  close(): void {
    this.#socket?.close()
  }
}

/**
 * TCP or a unix stream socket, framed as RFC 6587 says: a newline after each RFC 3164 message
 * (non-transparent framing), the octet count before each RFC 5424 one.
 */
class Stream implements Transport {
  readonly #address: SyslogAddress
  readonly #octetCounting: boolean
  readonly #fail: (error: Error) => void
  #socket: Socket | undefined
  #connected = false
  #queue: Buffer[] = []
  #attempt = 0
  #retry: NodeJS.Timeout | undefined
  #closed = false

  constructor(address: SyslogAddress, format: SyslogFormat, fail: (error: Error) => void) {
    this.#address = address
    this.#octetCounting = format === 'rfc5424'
    this.#fail = fail
    this.#connect()
  }

  #connect(): void {
    const address = this.#address
    const socket = address.transport === 'unix-stream' ? connect(address.path) : connect((address as { port: number }).port, (address as { host: string }).host)
    this.#socket = socket
    socket.unref()
    socket.setNoDelay?.(true)
    socket.on('connect', () => {
      this.#connected = true
      this.#attempt = 0
      const queued = this.#queue
      this.#queue = []
      for (const message of queued) socket.write(message)
    })
    socket.on('error', this.#fail)
    socket.on('close', () => {
      this.#connected = false
      this.#socket = undefined
      if (this.#closed) return
      const delay = RETRY_MS[Math.min(this.#attempt++, RETRY_MS.length - 1)]!
      this.#retry = setTimeout(() => this.#connect(), delay)
      this.#retry.unref()
    })
  }

  send(message: Buffer): void {
    const framed = this.#octetCounting ? Buffer.concat([Buffer.from(`${message.length} `), message]) : Buffer.concat([message, Buffer.from('\n')])
    if (this.#connected && this.#socket) {
      this.#socket.write(framed)
      return
    }
    if (this.#queue.length < MAX_QUEUED) this.#queue.push(framed)
  }

  flush(ms: number): Promise<void> {
    const socket = this.#socket
    if (!socket || !this.#connected || socket.writableLength === 0) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms)
      socket.write('', () => {
        clearTimeout(timer)
        resolve()
      })
    })
  }

  close(): void {
    this.#closed = true
    clearTimeout(this.#retry)
    this.#socket?.end()
  }
}
