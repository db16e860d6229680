import { AbortError } from '@bedrock-converse/runtime';

type Outcome = { ok: true } | { ok: false; error: unknown };

/** What a TurnStream needs from whoever runs the turn. */
export interface TurnHandle<R> {
  /** Settles when the turn has ended: stored (resolves) or rolled back (rejects). */
  done: Promise<R>;
  /** Gives up on the turn; `done` then rejects with `reason` unless the turn was already complete. */
  cancel(reason: Error): void;
}

/** Starts the turn, handing it the function that delivers its values to the stream. */
export type StartTurn<T, R> = (deliver: (value: T) => void) => TurnHandle<R>;

/**
 * One streamed turn: an async iterable of its values (iterate it once), and `result`, which
 * settles when the turn is stored. The turn starts when iteration begins or `result` is read.
 *
 * - The loop ends only after the turn is committed, so history is final when it ends.
 * - `break` (or any early exit of `for await`) cancels the turn: the request is aborted, the history
 *   stays as it was, and the loop returns cleanly.
 * - Aborting the turn's signal cancels it the same way, and the loop throws an AbortError.
 * - A failure throws its typed error from the loop, after the values that arrived before it.
 */
export class TurnStream<T, R> implements AsyncIterableIterator<T> {
  readonly #start: StartTurn<T, R>;
  #handle: TurnHandle<R> | undefined;
  #result: Promise<R> | undefined;
  /** Values delivered and not read yet. */
  readonly #buffer: T[] = [];
  /** How the turn ended, once it has. */
  #outcome: Outcome | undefined;
  /** No more values will be read: the outcome was read, or the consumer left. */
  #closed = false;
  #waiting: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;

  constructor(start: StartTurn<T, R>) {
    this.#start = start;
  }

  /** The turn's result once stored; rejects with the turn's error. */
  get result(): Promise<R> {
    return this.#begin();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<T>> {
    this.#begin();
    if (this.#closed) return Promise.resolve({ value: undefined, done: true });
    if (this.#buffer.length > 0) {
      return Promise.resolve({ value: this.#buffer.shift() as T, done: false });
    }
    if (this.#outcome) return this.#readOutcome(this.#outcome);
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
    });
  }

  /** Called on `break`: cancels a turn still running and waits until it has ended. */
  async return(): Promise<IteratorResult<T>> {
    const running = this.#handle !== undefined && this.#outcome === undefined;
    this.#closed = true;
    this.#buffer.length = 0;
    if (running) {
      this.#handle!.cancel(new AbortError('The stream was closed by its consumer.'));
      await this.#result!.catch(() => {});
    }
    return { value: undefined, done: true };
  }

  #begin(): Promise<R> {
    if (this.#result) return this.#result;
    this.#handle = this.#start((value) => this.#deliver(value));
    const result = this.#handle.done;
    result.then(
      () => this.#settle({ ok: true }),
      (error: unknown) => this.#settle({ ok: false, error }),
    );
    this.#result = result;
    return result;
  }

  #deliver(value: T) {
    if (this.#closed) return;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (waiting) waiting.resolve({ value, done: false });
    else this.#buffer.push(value);
  }

  #settle(outcome: Outcome) {
    this.#outcome = outcome;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (waiting) this.#readOutcome(outcome).then(waiting.resolve, waiting.reject);
  }

  #readOutcome(outcome: Outcome): Promise<IteratorResult<T>> {
    this.#closed = true;
    return outcome.ok
      ? Promise.resolve({ value: undefined, done: true })
      : Promise.reject(outcome.error);
  }
}
