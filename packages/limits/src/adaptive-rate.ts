/**
 * The adaptive part of a quota: a factor (0.1 … 1) of the configured rate.
 *
 * - A ThrottlingException cuts it (× 0.7) and lowers the ceiling it may be restored to: 10 % under
 *   the rate that was throttled, and, when the caller can tell how much of the quota was really in
 *   use at that moment (the service's true limit, about), 5 % under that. Throttles of requests
 *   already in flight when it was cut (within half a window) do not cut again.
 * - After a calm window (no throttle), every 10 successes restore 0.05, up to the ceiling.
 * - After `calmWindows` windows without a throttle the ceiling rises by 5 %, so a quota that was
 *   only briefly crowded is used fully again in time.
 *
 * Each throttle lowers the ceiling, so a rate set too high settles under the real limit in a few
 * steps and stays there: it converges instead of hammering the service.
 */
export class AdaptiveRate {
  factor = 1;
  ceiling = 1;
  readonly #apply: (factor: number) => void;
  readonly #windowMs: number;
  readonly #calmMs: number;
  readonly #now: () => number;
  #successes = 0;
  #lastCut = Number.NEGATIVE_INFINITY;
  #lastRaise: number;

  constructor(
    apply: (factor: number) => void,
    options: { windowMs?: number; calmWindows?: number; now?: () => number } = {},
  ) {
    this.#windowMs = options.windowMs ?? 60_000;
    this.#apply = apply;
    this.#calmMs = this.#windowMs * (options.calmWindows ?? 10);
    this.#now = options.now ?? Date.now;
    this.#lastRaise = this.#now();
  }

  /** `inUse`: the share of the configured rate in use when the service throttled, if known. */
  throttled(inUse?: number): void {
    const now = this.#now();
    if (now - this.#lastCut < this.#windowMs / 2) return;
    this.#lastCut = now;
    this.#lastRaise = now;
    const measured = inUse !== undefined && inUse > 0 ? inUse * 0.95 : 1;
    this.ceiling = Math.max(0.1, Math.min(this.ceiling, this.factor * 0.9, measured));
    this.#set(Math.max(0.1, Math.min(this.factor * 0.7, this.ceiling)));
  }

  success(): void {
    const now = this.#now();
    if (now - this.#lastCut < this.#windowMs) return;
    if (now - this.#lastRaise > this.#calmMs && this.ceiling < 1) {
      this.ceiling = Math.min(1, this.ceiling * 1.05);
      this.#lastRaise = now;
    }
    this.#successes += 1;
    if (this.#successes < 10) return;
    this.#successes = 0;
    this.#set(Math.min(this.ceiling, this.factor + 0.05));
  }

  #set(factor: number) {
    if (Math.abs(factor - this.factor) < 1e-9) return;
    this.factor = factor;
    this.#apply(factor);
  }
}
