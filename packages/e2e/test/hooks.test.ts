import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { Gu, PID_APP, asyncArgs, cleanupApps, killAll, makeApp, request } from '../src/harness.js'
import { hookRecorderConfig, readLines, waitUntil } from '../src/process-helpers.js'

afterEach(killAll)
afterAll(cleanupApps)

const HOOKS = ['onStarting', 'whenReady', 'preFork', 'postFork', 'postWorkerInit', 'preRequest', 'postRequest', 'childExit', 'workerExit', 'onExit', 'nworkersChanged']

describe('server hooks', () => {
  it('calls each hook in the right process and order', async () => {
    const dir = makeApp({ 'app.mjs': PID_APP })
    const file = join(dir, 'hooks.log')
    writeFileSync(join(dir, 'gu.config.mjs'), hookRecorderConfig(file, HOOKS))
    const gu = new Gu(asyncArgs('app.mjs:app', '-w', '2'), { cwd: dir })
    const workers = await gu.waitForWorkers(2)
    const url = await gu.url()
    await waitUntil('whenReady', () => readLines(file).some((l) => l.startsWith('whenReady ')))
    const res = await request(`${url}/hello`)
    const servedBy = Number(res.body)
    await waitUntil('postRequest', () => readLines(file).some((l) => l.startsWith('postRequest ')))
    expect(await gu.stop()).toEqual({ code: 0, signal: null })

    const lines = readLines(file).map((line) => {
      const [name, pid, ...detail] = line.split(' ')
      return { name: name!, pid: Number(pid), detail: detail.join(' ') }
    })
    const names = lines.map((l) => l.name)
    const inArbiter = (name: string) => lines.filter((l) => l.name === name).every((l) => l.pid === gu.pid)
    const pidsOf = (name: string) => lines.filter((l) => l.name === name).map((l) => l.pid).sort()

    // Arbiter hooks, once each, first and last.
    for (const name of ['onStarting', 'whenReady', 'onExit']) expect(names.filter((n) => n === name), name).toHaveLength(1)
    expect(names[0]).toBe('onStarting')
    expect(names.at(-1)).toBe('onExit')
    for (const name of ['onStarting', 'whenReady', 'preFork', 'childExit', 'onExit', 'nworkersChanged']) expect(inArbiter(name), name).toBe(true)
    expect(lines.find((l) => l.name === 'nworkersChanged')!.detail).toBe(`pid=${gu.pid} 2 null`)

    // One preFork per worker in the arbiter; postFork and postWorkerInit in each worker itself.
    expect(names.filter((n) => n === 'preFork')).toHaveLength(2)
    expect(pidsOf('postFork')).toEqual([...workers].sort())
    expect(pidsOf('postWorkerInit')).toEqual([...workers].sort())
    for (const pid of workers) {
      const at = (name: string) => lines.findIndex((l) => l.name === name && l.pid === pid)
      expect(at('postFork')).toBeLessThan(at('postWorkerInit'))
    }
    expect(names.indexOf('preFork')).toBeLessThan(names.indexOf('postFork'))
    expect(names.lastIndexOf('postWorkerInit')).toBeLessThan(names.indexOf('whenReady'))

    // Request hooks in the worker that served it.
    expect(pidsOf('preRequest')).toEqual([servedBy])
    expect(pidsOf('postRequest')).toEqual([servedBy])
    expect(names.indexOf('preRequest')).toBeLessThan(names.indexOf('postRequest'))

    // On stop: workerExit in each worker, then childExit for each in the arbiter, then onExit.
    expect(pidsOf('workerExit')).toEqual([...workers].sort())
    const childExits = lines.filter((l) => l.name === 'childExit')
    expect(childExits.map((l) => l.detail).sort()).toEqual(workers.map((pid) => `pid=${gu.pid} pid=${pid}`).sort())
    for (const pid of workers) {
      expect(lines.findIndex((l) => l.name === 'workerExit' && l.pid === pid)).toBeLessThan(
        lines.findIndex((l) => l.name === 'childExit' && l.detail.endsWith(`pid=${pid}`)),
      )
    }
    expect(names.lastIndexOf('childExit')).toBeLessThan(names.indexOf('onExit'))
  })
})
