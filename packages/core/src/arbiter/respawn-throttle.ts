const FIRST_DELAY_MS = 100
const MAX_DELAY_MS = 10_000
/** A worker that dies younger than this without having booted counts as a crash loop. */
const EARLY_DEATH_MS = 1000

/** Backs off respawning while workers keep dying young, so a crashing app can't spin the CPU. */
export class RespawnThrottle {
  #failures = 0
  #notBefore = 0

  canSpawn(now = Date.now()): boolean {
    return now >= this.#notBefore
  }

  /** How long the caller should wait before spawning again (0 when it may spawn now). */
  waitMs(now = Date.now()): number {
    return Math.max(0, this.#notBefore - now)
  }

  booted(): void {
    this.#failures = 0
    this.#notBefore = 0
  }

  exited(lifetimeMs: number, booted: boolean, now = Date.now()): void {
    if (booted && lifetimeMs >= EARLY_DEATH_MS) return
    this.#failures++
    this.#notBefore = now + Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (this.#failures - 1))
  }
}
