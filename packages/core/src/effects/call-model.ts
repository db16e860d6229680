import {
  type ConverseResult,
  ModelErrorException,
  type ModelRuntime,
  type RetryOptions,
  replyMessage,
  retry,
} from '@bedrock-converse/runtime';
import type { CallModelInput, ModelReply } from '../machines/conversation-types.js';
import { type QuotaGate, underQuota } from './quota-gate.js';

export interface CallModelDeps {
  runtime: ModelRuntime;
  /** `false` turns retries off. */
  retry: RetryOptions | false;
}

/**
 * Calls the model, retrying retryable failures; the signal aborts the call and its retries. With a
 * quota gate, every attempt runs under a reservation (a retry waits for quota again).
 */
export async function callModelWith(
  deps: CallModelDeps,
  input: CallModelInput,
  signal: AbortSignal,
  gate?: QuotaGate,
): Promise<ModelReply> {
  const started = performance.now();
  const options = deps.retry === false ? { maxAttempts: 1 } : deps.retry;
  const result = await retry(
    () =>
      underQuota(
        gate,
        input.request,
        signal,
        () => deps.runtime.converse(input.request, { signal }),
        (answer) => answer.usage?.totalTokens,
      ),
    { ...options, signal },
  );
  checkHasContent(result);
  return { result, latencyMs: performance.now() - started };
}

/** An answer with no content is never stored: it would leave two user turns in a row. */
export function checkHasContent(result: ConverseResult): void {
  if (!replyMessage(result)?.content?.length) {
    throw new ModelErrorException(
      `The model returned no content (stopReason: ${result.stopReason ?? 'none'}); nothing was stored.`,
    );
  }
}
