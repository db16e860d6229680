/** A sum over the last `windowMs`: what a process sent and used in the current quota window. */
export class SlidingCounter {
  readonly #windowMs: number;
  readonly #entries: Array<{ at: number; amount: number }> = [];

  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }

  add(amount: number, at = Date.now()): void {
    this.#entries.push({ at, amount });
  }

  sum(now = Date.now()): number {
    while (this.#entries.length > 0 && this.#entries[0]!.at <= now - this.#windowMs) {
      this.#entries.shift();
    }
    let total = 0;
    for (const entry of this.#entries) total += entry.amount;
    return total;
  }
}
