import { describe, expect, it } from 'vitest'
import { describeWorkerExit } from './worker-exit.js'

const worker = { pid: 42, stopping: false, aborted: false }

describe('describeWorkerExit', () => {
  it('names the arbiter\'s own timeout kill, never out of memory', () => {
    const report = describeWorkerExit({ ...worker, aborted: true }, null, 'SIGKILL', 30)
    expect(report?.level).toBe('error')
    expect(report?.message).toMatch(/Worker \(pid:42\) was killed with SIGKILL.*missed its 30s --timeout/)
    expect(report?.message).not.toMatch(/memory/)
    expect(describeWorkerExit({ ...worker, aborted: true }, 1, null, 30)?.message).toMatch(/exited with code 1 on SIGABRT, after it missed its 30s --timeout/)
  })

  it('keeps the out-of-memory hint for a SIGKILL the arbiter did not send', () => {
    expect(describeWorkerExit(worker, null, 'SIGKILL', 30)?.message).toMatch(/was sent SIGKILL! Perhaps out of memory\?/)
  })

  it('says nothing of an exit the arbiter asked for', () => {
    expect(describeWorkerExit({ ...worker, stopping: true }, 0, null, 30)).toBeUndefined()
    expect(describeWorkerExit({ ...worker, stopping: true }, 1, null, 30)).toBeUndefined()
  })
})
