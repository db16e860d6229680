import { describe, expect, it } from 'vitest';
import {
  ModelErrorException,
  ThrottlingException,
  ValidationException,
} from '../errors/bedrock-exceptions.js';
import { AbortError } from '../errors/project-errors.js';
import { retry } from './retry.js';

function failing(errors: Error[], value = 'ok') {
  let calls = 0;
  const attempt = async (attemptNumber: number) => {
    const error = errors[calls];
    calls += 1;
    // Attempts are numbered 1, 2, 3 … whichever layer (plain first call or p-retry) runs them.
    expect(attemptNumber).toBe(calls);
    if (error) throw error;
    return value;
  };
  return { attempt, calls: () => calls };
}

describe('retry', () => {
  it('retries retryable errors until one attempt succeeds', async () => {
    const { attempt, calls } = failing([
      new ThrottlingException('t'),
      new ThrottlingException('t'),
    ]);
    await expect(retry(attempt, { maxAttempts: 3, throttleBaseDelayMs: 1 })).resolves.toBe('ok');
    expect(calls()).toBe(3);
  });

  it('gives up after maxAttempts with the last error', async () => {
    const { attempt, calls } = failing([1, 2, 3, 4].map((n) => new ThrottlingException(`t${n}`)));
    await expect(retry(attempt, { maxAttempts: 3, throttleBaseDelayMs: 1 })).rejects.toThrow('t3');
    expect(calls()).toBe(3);
  });

  it('never retries a non-retryable error', async () => {
    for (const error of [new ValidationException('v'), new ModelErrorException('m')]) {
      const { attempt, calls } = failing([error]);
      await expect(retry(attempt, { maxAttempts: 5 })).rejects.toBe(error);
      expect(calls()).toBe(1);
    }
  });

  it('waits a full-jitter exponential delay, longer for throttling', async () => {
    const delays: Array<[string, number]> = [];
    const { attempt } = failing([
      new ThrottlingException('t'),
      new ThrottlingException('t'),
      new ModelErrorException('x'),
    ]);
    const onRetry = ({ error, delayMs }: { error: Error; delayMs: number }) =>
      delays.push([error.name, delayMs]);
    await retry(attempt, {
      maxAttempts: 5,
      throttleBaseDelayMs: 8,
      baseDelayMs: 2,
      random: () => 0.5,
      onRetry,
    }).catch(() => undefined);
    // random 0.5 × min(base × 2^(n-1), max): 0.5×8, 0.5×16.
    expect(delays).toStrictEqual([
      ['ThrottlingException', 4],
      ['ThrottlingException', 8],
    ]);
    const transient: number[] = [];
    const again = failing([Object.assign(new Error('reset'), { code: 'ECONNRESET' })]);
    await retry(again.attempt, {
      baseDelayMs: 2,
      random: () => 0.5,
      onRetry: ({ delayMs }) => transient.push(delayMs),
    });
    expect(transient).toStrictEqual([1]);
  });

  it('stops waiting and raises AbortError when the signal aborts', async () => {
    const controller = new AbortController();
    const { attempt, calls } = failing([
      new ThrottlingException('t'),
      new ThrottlingException('t'),
    ]);
    const pending = retry(attempt, {
      maxAttempts: 5,
      throttleBaseDelayMs: 60_000,
      random: () => 1,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error('stop')), 5);
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    expect(calls()).toBe(1);
  });
});
