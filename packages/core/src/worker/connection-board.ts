import { closeSync, existsSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Slots on one board: workers beyond this many (at once) accept without balancing. */
export const BOARD_SLOTS = 256
/** A slot's value when no accepting worker holds it. */
const VACANT = -1
const BYTES = BOARD_SLOTS * 4

/** Where a worker finds the board: the descriptor it inherited and its own slot. */
export interface BoardSeat {
  fd: number
  slot: number
}

/**
 * The connection board: one small file, shared by the arbiter and its workers, with one slot per
 * worker holding how many connections that worker holds (or -1). A worker reads it to decide
 * whether to take another connection (see `balanced-accept.ts`); the arbiter reads it for
 * per-worker connection counts. The file is unlinked as soon as it is open, so nothing is left
 * behind however the arbiter ends; workers inherit its descriptor. Reads and writes are single
 * pread/pwrite calls on a memory-backed file where there is one (/dev/shm).
 */
export class ConnectionBoard {
  readonly fd: number
  readonly #used = new Set<number>()
  readonly #word = Buffer.alloc(4)

  private constructor(fd: number) {
    this.fd = fd
  }

  /** A new board, every slot vacant. */
  static create(): ConnectionBoard {
    const dir = existsSync('/dev/shm') ? '/dev/shm' : tmpdir()
    const path = join(dir, `gu-connections-${process.pid}-${Date.now().toString(36)}`)
    const fd = openSync(path, 'wx+', 0o600)
    unlinkSync(path)
    writeSync(fd, Buffer.alloc(BYTES, 0xff), 0, BYTES, 0)
    return new ConnectionBoard(fd)
  }

  /** The lowest free slot for a new worker, or -1 when every slot is taken. */
  claim(): number {
    for (let slot = 0; slot < BOARD_SLOTS; slot++) {
      if (this.#used.has(slot)) continue
      this.#used.add(slot)
      this.#write(slot, VACANT)
      return slot
    }
    return -1
  }

  /** A worker has exited: its slot is vacant and free for the next one. */
  release(slot: number): void {
    if (!this.#used.delete(slot)) return
    this.#write(slot, VACANT)
  }

  /** Connections the worker in `slot` holds; undefined while it isn't accepting (booting, stopping) or doesn't balance. */
  connections(slot: number): number | undefined {
    if (slot < 0 || slot >= BOARD_SLOTS) return undefined
    readSync(this.fd, this.#word, 0, 4, slot * 4)
    const value = this.#word.readInt32LE(0)
    return value >= 0 ? value : undefined
  }

  close(): void {
    closeSync(this.fd)
  }

  #write(slot: number, value: number): void {
    this.#word.writeInt32LE(value, 0)
    writeSync(this.fd, this.#word, 0, 4, slot * 4)
  }
}

/** A worker's seat at the board: it posts its own count and reads everyone's. */
export class BoardSeatView {
  readonly #seat: BoardSeat
  readonly #all = Buffer.alloc(BYTES)
  readonly #word = Buffer.alloc(4)
  #left = false

  constructor(seat: BoardSeat) {
    this.#seat = seat
  }

  /** Posts how many connections this worker holds. */
  post(connections: number): void {
    if (this.#left) return
    this.#word.writeInt32LE(connections, 0)
    writeSync(this.#seat.fd, this.#word, 0, 4, this.#seat.slot * 4)
  }

  /** This worker stops accepting: the others no longer measure themselves against it. */
  leave(): void {
    this.post(VACANT)
    this.#left = true
  }

  /** The fewest connections any other accepting worker holds; undefined when there is none. */
  fewestElsewhere(): number | undefined {
    readSync(this.#seat.fd, this.#all, 0, BYTES, 0)
    let fewest: number | undefined
    for (let slot = 0; slot < BOARD_SLOTS; slot++) {
      const count = this.#all.readInt32LE(slot * 4)
      if (slot === this.#seat.slot || count < 0) continue
      if (fewest === undefined || count < fewest) fewest = count
    }
    return fewest
  }
}
