import type {
  ContentBlock,
  Message,
  SystemContentBlock,
  ToolConfiguration,
} from '@aws-sdk/client-bedrock-runtime';
import type { ConverseInput } from '@bedrock-converse/runtime';
import { imageSize } from 'image-size';

/** Bedrock's rule of thumb for an image: (width × height) / 750 tokens, at most about 1 600. */
export const maxImageTokens = 1600;

const wordsOrMarks = /[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu;

/**
 * Tokens of a text, estimated: the larger of one per 4 characters and one per word or mark. The
 * second keeps JSON, code and numbers (which chars/4 undercounts) from being underestimated.
 */
export function estimateTextTokens(text: string): number {
  if (text === '') return 0;
  let pieces = 0;
  for (const _ of text.matchAll(wordsOrMarks)) pieces += 1;
  return Math.max(Math.ceil(text.length / 4), pieces);
}

/** Tokens of an image: (width × height) / 750, capped; the cap when its size cannot be read. */
export function estimateImageTokens(bytes: Uint8Array | undefined): number {
  if (!bytes) return maxImageTokens;
  try {
    const { width, height } = imageSize(bytes);
    if (!width || !height) return maxImageTokens;
    return Math.min(maxImageTokens, Math.max(1, Math.ceil((width * height) / 750)));
  } catch {
    return maxImageTokens;
  }
}

export function estimateBlockTokens(block: ContentBlock | SystemContentBlock): number {
  if ('text' in block && typeof block.text === 'string') return estimateTextTokens(block.text);
  if ('toolUse' in block && block.toolUse) {
    return (
      estimateTextTokens(block.toolUse.name ?? '') +
      estimateTextTokens(JSON.stringify(block.toolUse.input ?? {}))
    );
  }
  if ('toolResult' in block && block.toolResult) {
    let total = 0;
    for (const part of block.toolResult.content ?? []) {
      if (part.text !== undefined) total += estimateTextTokens(part.text);
      else if (part.json !== undefined) total += estimateTextTokens(JSON.stringify(part.json));
      else if (part.image) total += estimateImageTokens(part.image.source?.bytes);
      else total += estimateTextTokens(JSON.stringify(part));
    }
    return total;
  }
  if ('image' in block && block.image) return estimateImageTokens(block.image.source?.bytes);
  if ('document' in block && block.document) {
    const bytes = block.document.source?.bytes;
    return bytes
      ? Math.ceil(bytes.length / 4)
      : estimateTextTokens(block.document.source?.text ?? '');
  }
  if ('reasoningContent' in block && block.reasoningContent) {
    return estimateTextTokens(block.reasoningContent.reasoningText?.text ?? '');
  }
  return 0;
}

/** Per-message overhead (role and framing). */
const messageOverhead = 4;
const cache = new WeakMap<Message, number>();

/**
 * Estimated tokens of a message, cached per message object: stored messages are immutable and
 * shared between turns, so a turn estimates only its new messages, however long the history.
 */
export function estimateMessageTokens(message: Message): number {
  const cached = cache.get(message);
  if (cached !== undefined) return cached;
  let total = messageOverhead;
  for (const block of message.content ?? []) total += estimateBlockTokens(block);
  cache.set(message, total);
  return total;
}

export function estimateSystemTokens(system: readonly SystemContentBlock[] | undefined): number {
  let total = 0;
  for (const block of system ?? []) total += estimateBlockTokens(block);
  return total;
}

export function estimateToolTokens(toolConfig: ToolConfiguration | undefined): number {
  return toolConfig ? estimateTextTokens(JSON.stringify(toolConfig)) : 0;
}

/** Raw estimated tokens of a message list. */
export function estimateMessages(messages: readonly Message[]): number {
  let total = 0;
  for (const message of messages) total += estimateMessageTokens(message);
  return total;
}

type RequestParts = Pick<ConverseInput, 'messages' | 'system' | 'toolConfig'>;

/** Raw estimated tokens of what a request carries besides its messages: system prompt, tools. */
export function estimateOverheadTokens(request: Omit<RequestParts, 'messages'>): number {
  return estimateSystemTokens(request.system) + estimateToolTokens(request.toolConfig);
}

/** Raw estimated input tokens of a whole request. */
export function estimateRequestTokens(request: RequestParts): number {
  return estimateMessages(request.messages ?? []) + estimateOverheadTokens(request);
}
