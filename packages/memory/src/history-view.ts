import type { Message } from '@aws-sdk/client-bedrock-runtime';
import { exchangeEnd, exchangeStart, startsExchange } from './history-units.js';
import { estimateMessageTokens } from './token-estimate.js';

/**
 * A history as strategies see it: the stored messages (ending with the newest user message), their
 * calibrated token estimates, and the pinned exchanges. Everything is computed lazily from the end,
 * so looking at the recent part of a long history costs only what is looked at.
 */
export class HistoryView {
  readonly messages: readonly Message[];
  /** Multiplies every raw estimate (learned from the token counts the model reports). */
  readonly calibration: number;
  /** Where the newest exchange (never pruned) starts. */
  readonly lastStart: number;
  /** Pinned exchanges before the newest one, as [start, end) ranges, ascending. */
  readonly pinnedExchanges: ReadonlyArray<readonly [number, number]>;
  readonly #pinnedStarts: ReadonlySet<number>;

  constructor(messages: readonly Message[], pinned: readonly number[] = [], calibration = 1) {
    this.messages = messages;
    this.calibration = calibration > 0 && Number.isFinite(calibration) ? calibration : 1;
    this.lastStart = messages.length === 0 ? 0 : exchangeStart(messages, messages.length - 1);
    const ranges = new Map<number, number>();
    for (const index of pinned) {
      if (!Number.isInteger(index) || index < 0 || index >= this.lastStart) continue;
      const start = exchangeStart(messages, index);
      if (!ranges.has(start)) ranges.set(start, exchangeEnd(messages, start));
    }
    this.pinnedExchanges = [...ranges].sort(([a], [b]) => a - b);
    this.#pinnedStarts = new Set(ranges.keys());
  }

  /** Calibrated tokens of message `index`. */
  tokens(index: number): number {
    return estimateMessageTokens(this.messages[index]!) * this.calibration;
  }

  /** Calibrated tokens of messages [from, to). */
  tokensOf(from: number, to: number): number {
    let total = 0;
    for (let i = from; i < to; i++) total += this.tokens(i);
    return total;
  }

  isPinnedExchange(start: number): boolean {
    return this.#pinnedStarts.has(start);
  }

  /** Tokens of the pinned exchanges that start before `cut`. */
  pinnedTokensBefore(cut: number): number {
    let total = 0;
    for (const [start, end] of this.pinnedExchanges) {
      if (start < cut) total += this.tokensOf(start, Math.min(end, cut));
    }
    return total;
  }

  /**
   * The exchanges before `before`, newest first, as [start, end) ranges: the candidates for
   * pruning, walked from the end.
   */
  *exchangesBefore(before: number): Generator<readonly [number, number]> {
    let end = before;
    let i = before - 1;
    while (i >= 0) {
      while (i > 0 && !startsExchange(this.messages[i])) i -= 1;
      yield [i, end];
      end = i;
      i -= 1;
    }
  }
}
