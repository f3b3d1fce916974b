import { describe, expect, it } from 'vitest'
import { parseListenQueues } from './listen-backlog.js'

const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode'
// Port 0x1F90 = 8080: two SO_REUSEPORT listeners (3 and 2 waiting), one established connection
// (its rx_queue is unread bytes, not an accept queue), and a listener on another port.
const TCP4 = [
  HEADER,
  '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000003 00:00000000 00000000     0        0 1001 1 0000000000000000 100 0 0 10 0',
  '   1: 0100007F:1F90 00000000:0000 0A 00000000:00000002 00:00000000 00000000     0        0 1002 1 0000000000000000 100 0 0 10 0',
  '   2: 0100007F:1F90 0100007F:C350 01 00000000:00000040 00:00000000 00000000     0        0 1003 1 0000000000000000 20 4 30 10 -1',
  '   3: 0100007F:0050 00000000:0000 0A 00000000:00000007 00:00000000 00000000     0        0 1004 1 0000000000000000 100 0 0 10 0',
].join('\n')
const TCP6 = [HEADER, '   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000001 00:00000000 00000000     0        0 1005 1 0000000000000000 100 0 0 10 0'].join('\n')

describe('parseListenQueues', () => {
  it('sums the rx_queue of every LISTEN socket on a port, IPv4 and IPv6', () => {
    expect(parseListenQueues([TCP4, TCP6], new Set([8080]))).toEqual([{ port: 8080, queued: 6 }])
  })

  it('leaves out ports it was not asked about, and tables that are empty', () => {
    expect(parseListenQueues([TCP4, ''], new Set([80, 9999]))).toEqual([{ port: 80, queued: 7 }])
  })
})
