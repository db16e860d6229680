import pRetry from 'p-retry';
import type { ConverseError } from '../errors/converse-error.js';
import { toConverseError } from '../errors/to-converse-error.js';
import { sleep } from '../sleep.js';

export interface RetryOptions {
  /** Total attempts, the first included. 1 disables retries. Default 4. */
  maxAttempts?: number;
  /** Base delay for transient errors (5xx, timeouts, connection errors). Default 100 ms. */
  baseDelayMs?: number;
  /** Base delay for throttling (429). Default 1000 ms. */
  throttleBaseDelayMs?: number;
  /** Upper bound of one delay. Default 20 000 ms. */
  maxDelayMs?: number;
  /** Called before each retry's wait; for logging and metrics. */
  onRetry?: (info: { error: ConverseError; attempt: number; delayMs: number }) => void;
  /** The random source of the jitter, in [0, 1). Default Math.random. */
  random?: () => number;
}

export const defaultRetryOptions = {
  maxAttempts: 4,
  baseDelayMs: 100,
  throttleBaseDelayMs: 1000,
  maxDelayMs: 20_000,
} as const;

/**
 * Runs `attempt` and retries it while it fails with a retryable ConverseError, waiting
 * `random() * min(base * 2^(n-1), maxDelayMs)` before retry n ("full jitter"; the base is longer
 * for throttling). Non-retryable errors and aborts end it at once. The error thrown is always a
 * ConverseError.
 *
 * The first attempt is a plain call, so a call that succeeds (nearly all of them) pays nothing for
 * the retry machinery; p-retry runs the retries and honours the signal. The jittered wait is ours
 * because its base depends on the kind of error, which p-retry's fixed schedule cannot express.
 */
export async function retry<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  options: RetryOptions & { signal?: AbortSignal | undefined } = {},
): Promise<T> {
  const { maxAttempts, baseDelayMs, throttleBaseDelayMs, maxDelayMs } = {
    ...defaultRetryOptions,
    ...options,
  };
  const random = options.random ?? Math.random;
  const signal = options.signal;
  const retryable = (error: ConverseError) => error.retryable && !signal?.aborted;
  /** Waits before the attempt after `attemptNumber`, when `error` is worth another one. */
  const backOff = async (error: ConverseError, attemptNumber: number) => {
    const base = error.statusCode === 429 ? throttleBaseDelayMs : baseDelayMs;
    const delayMs = Math.round(random() * Math.min(base * 2 ** (attemptNumber - 1), maxDelayMs));
    options.onRetry?.({ error, attempt: attemptNumber, delayMs });
    await sleep(delayMs, signal);
  };
  const run = async (attemptNumber: number) => {
    try {
      return await attempt(attemptNumber);
    } catch (error) {
      throw toConverseError(error, signal);
    }
  };

  try {
    if (signal?.aborted) throw signal.reason;
    try {
      return await run(1);
    } catch (error) {
      const first = error as ConverseError;
      if (maxAttempts <= 1 || !retryable(first)) throw first;
      await backOff(first, 1);
    }
    // Attempts 2 … maxAttempts.
    return await pRetry((n) => run(n + 1), {
      retries: Math.max(0, maxAttempts - 2),
      minTimeout: 0,
      maxTimeout: 0,
      signal,
      shouldRetry: ({ error }) => retryable(error as ConverseError),
      onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
        const converseError = error as ConverseError;
        if (retriesLeft === 0 || !retryable(converseError)) return;
        await backOff(converseError, attemptNumber + 1);
      },
    });
  } catch (error) {
    throw toConverseError(error, signal);
  }
}
