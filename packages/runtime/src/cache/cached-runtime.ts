import type { ConverseResult, ConverseStreamEvent, ModelRuntime } from '../model-runtime.js';
import { replyMessage } from '../reply-message.js';
import { type ResponseCache, requestKey } from './response-cache.js';

const noUsage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
const cacheable = new Set(['end_turn', 'stop_sequence', 'max_tokens']);

/**
 * A runtime that answers identical requests from a cache. Only whole, final answers are kept:
 * never an error, never a turn that calls tools (its tools must run again), never a stream that
 * did not end cleanly. An answer from the cache used no tokens, so its usage is zero.
 */
export function cachedRuntime(runtime: ModelRuntime, cache: ResponseCache): ModelRuntime {
  return {
    ...runtime,
    async converse(input, options) {
      const key = requestKey('converse', input);
      const hit = await cache.get(key);
      if (hit?.kind === 'converse') {
        return { ...hit.result, usage: { ...noUsage }, metrics: { latencyMs: 0 } };
      }
      const result = await runtime.converse(input, options);
      if (isFinalAnswer(result)) await cache.set(key, { kind: 'converse', result });
      return result;
    },
    async *converseStream(input, options) {
      const key = requestKey('stream', input);
      const hit = await cache.get(key);
      if (hit?.kind === 'stream') {
        for (const event of hit.events) {
          yield event.metadata
            ? { metadata: { ...event.metadata, usage: { ...noUsage }, metrics: { latencyMs: 0 } } }
            : event;
        }
        return;
      }
      const events: ConverseStreamEvent[] = [];
      for await (const event of runtime.converseStream(input, options)) {
        events.push(event);
        yield event;
      }
      const stop = events.find((e) => e.messageStop)?.messageStop?.stopReason;
      const calledTools = events.some((e) => e.contentBlockStart?.start?.toolUse);
      if (stop && cacheable.has(stop) && !calledTools && events.at(-1)?.metadata) {
        await cache.set(key, { kind: 'stream', events });
      }
    },
  };
}

function isFinalAnswer(result: ConverseResult): boolean {
  const toolUse = (replyMessage(result)?.content ?? []).some((block) => block.toolUse);
  return cacheable.has(result.stopReason ?? '') && !toolUse;
}
