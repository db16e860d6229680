import { outcomeOf } from '@bedrock-converse/limits';
import {
  type ConverseStreamEvent,
  retry,
  streamEventsOf,
  toConverseError,
} from '@bedrock-converse/runtime';
import type { ModelReply, StreamModelInput } from '../machines/conversation-types.js';
import { StreamAssembler, type TurnStreamEvent } from '../streaming/stream-events.js';
import { type CallModelDeps, callModelWith, checkHasContent } from './call-model.js';
import type { QuotaGate } from './quota-gate.js';

/**
 * Streams the model's answer, handing each typed event to `deliver` as it arrives, and returns the
 * whole answer once the stream is complete (messageStop and metadata received).
 *
 * Retries: the opening of the stream is retried like a Converse call, up to and including its
 * first event after `messageStart`, because until then the caller has seen nothing. After that a
 * failure is not retried (the caller already showed text); it ends the turn with its typed error.
 *
 * Fallback: for a turn that must not stream (`input.fallback`, a model that cannot use tools while
 * streaming), the answer comes from one Converse call and is then delivered as stream events.
 */
export async function streamModelWith(
  deps: CallModelDeps,
  input: StreamModelInput,
  signal: AbortSignal,
  deliver: (event: TurnStreamEvent) => void,
  gate?: QuotaGate,
): Promise<ModelReply> {
  const assembler = new StreamAssembler();
  const forward = (event: ConverseStreamEvent) => {
    for (const typed of assembler.push(event)) deliver(typed);
  };

  if (input.fallback) {
    const reply = await callModelWith(deps, { request: input.request }, signal, gate);
    for (const event of streamEventsOf(reply.result)) forward(event);
    return reply;
  }

  const started = performance.now();
  const options = deps.retry === false ? { maxAttempts: 1 } : deps.retry;
  const { iterator, opening, grant } = await retry(
    async () => {
      // Each opening attempt runs under its own reservation; the one that opens keeps it.
      const grant = gate ? (gate.take() ?? (await gate.reserve(input.request, signal))) : undefined;
      grant?.sending();
      const iterator = deps.runtime
        .converseStream(input.request, { signal })
        [Symbol.asyncIterator]();
      const opening: ConverseStreamEvent[] = [];
      try {
        for (;;) {
          const next = await iterator.next();
          if (next.done) break;
          opening.push(next.value);
          if (!next.value.messageStart) break;
        }
      } catch (error) {
        grant?.settle(outcomeOf(error));
        void iterator.return?.()?.catch(() => {});
        throw error;
      }
      return { iterator, opening, grant };
    },
    { ...options, signal },
  );

  let finished = false;
  try {
    for (const event of opening) forward(event);
    for (;;) {
      const next = await nextOrAbort(iterator, signal);
      if (next.done) break;
      forward(next.value);
    }
    finished = true;
  } catch (error) {
    // Cut mid-stream: the service charged it and never said what it used; keep the reservation.
    grant?.settle({ tokensUsed: grant.reservedTokens });
    throw toConverseError(error, signal);
  } finally {
    // Stop reading: for HTTP runtimes this ends the request when it is still open.
    if (!finished) void iterator.return?.()?.catch(() => {});
  }

  let result: ReturnType<StreamAssembler['result']>;
  try {
    result = assembler.result();
  } catch (error) {
    grant?.settle({ tokensUsed: grant.reservedTokens });
    throw error;
  }
  grant?.settle({ tokensUsed: result.usage?.totalTokens ?? grant.reservedTokens });
  checkHasContent(result);
  return { result, latencyMs: performance.now() - started };
}

/** The iterator's next event, or the signal's reason as soon as it aborts. */
function nextOrAbort<T>(
  iterator: AsyncIterator<T>,
  signal: AbortSignal,
): Promise<IteratorResult<T>> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    iterator.next().then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
