import type { ContentBlock } from '@aws-sdk/client-bedrock-runtime';
import type { ConverseResult, ConverseStreamEvent } from '../model-runtime.js';
import { replyMessage } from '../reply-message.js';

export interface StreamChunking {
  /** Characters per text delta. Default 8. */
  textChunkSize?: number | undefined;
  /** Characters per tool-input JSON fragment. Default 16. */
  toolInputChunkSize?: number | undefined;
}

/**
 * The ConverseStream events that carry `result`, in Bedrock's order: messageStart; per block its
 * contentBlockStart (tool use only), deltas and contentBlockStop; messageStop; metadata last. Used by
 * local runtimes to stream a whole answer, and by ConverseClient to stream a turn that had to be
 * answered without streaming.
 */
export function* streamEventsOf(
  result: ConverseResult,
  chunking: StreamChunking = {},
): Generator<ConverseStreamEvent> {
  const textChunk = Math.max(1, chunking.textChunkSize ?? 8);
  const toolChunk = Math.max(1, chunking.toolInputChunkSize ?? 16);
  const message = replyMessage(result);
  yield { messageStart: { role: message?.role ?? 'assistant' } };
  const blocks: ContentBlock[] = message?.content ?? [];
  for (const [contentBlockIndex, block] of blocks.entries()) {
    if ('toolUse' in block && block.toolUse) {
      const { toolUseId, name, input } = block.toolUse;
      yield { contentBlockStart: { contentBlockIndex, start: { toolUse: { toolUseId, name } } } };
      for (const piece of chunks(JSON.stringify(input ?? {}), toolChunk)) {
        yield { contentBlockDelta: { contentBlockIndex, delta: { toolUse: { input: piece } } } };
      }
    } else if ('reasoningContent' in block && block.reasoningContent) {
      const reasoning = block.reasoningContent;
      if (reasoning.reasoningText) {
        for (const piece of chunks(reasoning.reasoningText.text ?? '', textChunk)) {
          yield {
            contentBlockDelta: { contentBlockIndex, delta: { reasoningContent: { text: piece } } },
          };
        }
        if (reasoning.reasoningText.signature !== undefined) {
          const signature = reasoning.reasoningText.signature;
          yield {
            contentBlockDelta: { contentBlockIndex, delta: { reasoningContent: { signature } } },
          };
        }
      } else if (reasoning.redactedContent) {
        const redactedContent = reasoning.redactedContent;
        yield {
          contentBlockDelta: {
            contentBlockIndex,
            delta: { reasoningContent: { redactedContent } },
          },
        };
      }
    } else if ('text' in block && typeof block.text === 'string') {
      for (const piece of chunks(block.text, textChunk)) {
        yield { contentBlockDelta: { contentBlockIndex, delta: { text: piece } } };
      }
    }
    yield { contentBlockStop: { contentBlockIndex } };
  }
  yield { messageStop: { stopReason: result.stopReason ?? 'end_turn' } };
  yield { metadata: { usage: result.usage, metrics: result.metrics ?? { latencyMs: 0 } } };
}

function* chunks(text: string, size: number): Generator<string> {
  if (text === '') return;
  // Split on code points, so a surrogate pair is never cut in half.
  const points = Array.from(text);
  for (let i = 0; i < points.length; i += size) yield points.slice(i, i + size).join('');
}
