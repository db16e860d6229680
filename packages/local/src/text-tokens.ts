import type { ContentBlock, Message, SystemContentBlock } from '@aws-sdk/client-bedrock-runtime';

/**
 * The scripted model's tokenizer: words and punctuation marks each count as one token. Crude but
 * deterministic, so tests can predict usage numbers exactly.
 */
export function countTextTokens(text: string): number {
  return text.match(/[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu)?.length ?? 0;
}

/** The first `maxTokens` tokens of `text`, with the whitespace between them kept. */
export function truncateToTokens(text: string, maxTokens: number): string {
  const pattern = /[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu;
  let count = 0;
  for (const match of text.matchAll(pattern)) {
    count += 1;
    if (count === maxTokens) return text.slice(0, match.index + match[0].length);
  }
  return text;
}

/** The text a block contributes to a prompt (tool blocks as their JSON, media as a short marker). */
export function blockText(block: ContentBlock | SystemContentBlock): string {
  if ('text' in block && typeof block.text === 'string') return block.text;
  if ('toolUse' in block && block.toolUse) return JSON.stringify(block.toolUse.input ?? {});
  if ('toolResult' in block && block.toolResult) {
    return (block.toolResult.content ?? [])
      .map((part) => ('text' in part && part.text) || JSON.stringify(part))
      .join(' ');
  }
  if ('image' in block && block.image) return `[image ${block.image.format ?? ''}]`;
  if ('document' in block && block.document) return `[document ${block.document.name ?? ''}]`;
  return '';
}

export function messageText(message: Message): string {
  return (message.content ?? []).map(blockText).join('\n');
}

/** Input tokens of a request as the scripted model counts them. */
export function countRequestTokens(
  messages: readonly Message[] | undefined,
  system: readonly SystemContentBlock[] | undefined,
): number {
  let total = 0;
  for (const block of system ?? []) total += countTextTokens(blockText(block));
  for (const message of messages ?? []) total += countTextTokens(messageText(message));
  return total;
}
