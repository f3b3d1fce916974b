import { afterEach, describe, expect, it } from 'vitest'
import { BOARD_SLOTS, BoardSeatView, ConnectionBoard } from './connection-board.js'

describe('the connection board', () => {
  let board: ConnectionBoard | undefined
  afterEach(() => board?.close())

  it('gives each worker its own slot and frees it when the worker goes', () => {
    board = ConnectionBoard.create()
    expect([board.claim(), board.claim(), board.claim()]).toEqual([0, 1, 2])
    board.release(1)
    expect(board.claim()).toBe(1)
  })

  it('tells a worker the fewest connections any other accepting worker holds', () => {
    board = ConnectionBoard.create()
    const [a, b, c] = [board.claim(), board.claim(), board.claim()].map((slot) => new BoardSeatView({ fd: board!.fd, slot }))
    // Booting workers (vacant slots) don't count.
    expect(a!.fewestElsewhere()).toBeUndefined()
    a!.post(7)
    b!.post(3)
    expect(a!.fewestElsewhere()).toBe(3)
    expect(b!.fewestElsewhere()).toBe(7)
    c!.post(5)
    expect(a!.fewestElsewhere()).toBe(3)
    expect(board.connections(0)).toBe(7)
  })

  it('forgets a worker that stopped accepting, and one that died without saying so', () => {
    board = ConnectionBoard.create()
    const slots = [board.claim(), board.claim(), board.claim()]
    const [a, b, c] = slots.map((slot) => new BoardSeatView({ fd: board!.fd, slot }))
    a!.post(9)
    b!.post(0)
    c!.post(4)
    b!.leave()
    b!.post(2) // a connection closing after the stop must not bring it back
    expect(a!.fewestElsewhere()).toBe(4)
    expect(board.connections(slots[1]!)).toBeUndefined()
    board.release(slots[2]!) // killed: the arbiter vacates its slot when it reaps it
    expect(a!.fewestElsewhere()).toBeUndefined()
  })

  it('runs out of slots with -1 rather than sharing one', () => {
    board = ConnectionBoard.create()
    for (let i = 0; i < BOARD_SLOTS; i++) expect(board.claim()).toBe(i)
    expect(board.claim()).toBe(-1)
  })
})
