import type { ContentBlock, Message } from '@aws-sdk/client-bedrock-runtime';
import {
  type ModelRuntime,
  type RetryOptions,
  replyMessage,
  retry,
} from '@bedrock-converse/runtime';
import type { ModelInfo } from '../registry/model-registry.js';
import { buildConverseInput } from '../turns/build-request.js';

/** The system prompt of summary requests (a scripted test model can recognise them by it). */
export const summaryInstruction =
  'You summarise conversations. Keep every fact, name, number, decision and open question; drop small talk. Write plain sentences, no preamble.';

/**
 * The summarizing strategy's summarize function: the conversation's own model writes the summary of
 * the pruned messages, continuing the previous summary when there is one.
 */
export function summarizeWithModel(deps: {
  runtime: ModelRuntime;
  modelInfo: () => ModelInfo;
  retry: RetryOptions | false;
  maxTokens?: number;
}) {
  return async (messages: Message[], previous: string | undefined): Promise<string> => {
    const transcript = messages.map(transcriptLine).join('\n');
    const text = previous
      ? `The summary so far:\n${previous}\n\nMore of the conversation:\n${transcript}\n\nWrite the updated summary.`
      : `The conversation:\n${transcript}\n\nWrite the summary.`;
    const request = buildConverseInput({
      modelInfo: deps.modelInfo(),
      systemPrompt: summaryInstruction,
      messages: [{ role: 'user', content: [{ text }] }],
      inferenceConfig: { maxTokens: deps.maxTokens ?? 600 },
    });
    const options = deps.retry === false ? { maxAttempts: 1 } : deps.retry;
    const result = await retry(() => deps.runtime.converse(request), options);
    return (replyMessage(result)?.content ?? [])
      .map((block) => block.text ?? '')
      .join('')
      .trim();
  };
}

function transcriptLine(message: Message): string {
  const who = message.role === 'assistant' ? 'Assistant' : 'User';
  return `${who}: ${(message.content ?? []).map(blockLine).filter(Boolean).join(' ')}`;
}

function blockLine(block: ContentBlock): string {
  if (block.text !== undefined) return block.text;
  if (block.toolUse)
    return `[called ${block.toolUse.name} with ${JSON.stringify(block.toolUse.input)}]`;
  if (block.toolResult) {
    const text = (block.toolResult.content ?? [])
      .map((part) => part.text ?? JSON.stringify(part.json ?? ''))
      .join(' ');
    return `[tool result: ${text.length > 400 ? `${text.slice(0, 400)} …` : text}]`;
  }
  if (block.image) return '[an image]';
  if (block.document) return `[document ${block.document.name ?? ''}]`;
  return '';
}
