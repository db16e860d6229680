import type { ContentBlock, ConversationRole, Message } from '@aws-sdk/client-bedrock-runtime';
import { ValidationException } from '@bedrock-converse/runtime';

/** What callers may pass as a message: plain text or Converse content blocks. */
export type MessageInput = string | ContentBlock[];

const blockKinds = new Set([
  'text',
  'image',
  'document',
  'video',
  'audio',
  'toolUse',
  'toolResult',
  'guardContent',
  'cachePoint',
  'reasoningContent',
  'citationsContent',
  'searchResult',
]);

/** Turns a caller's message into content blocks, refusing empty or malformed input. */
export function toContentBlocks(message: unknown, field = 'message'): ContentBlock[] {
  if (typeof message === 'string') {
    if (message.trim() === '') {
      throw new ValidationException(
        `${field} is empty: send some text or at least one content block.`,
      );
    }
    return [{ text: message }];
  }
  if (!Array.isArray(message)) {
    throw new ValidationException(
      `${field} must be a string or an array of Converse content blocks, got ${describe(message)}.`,
    );
  }
  if (message.length === 0) {
    throw new ValidationException(
      `${field} is empty: send some text or at least one content block.`,
    );
  }
  for (const [i, block] of message.entries()) {
    const keys = typeof block === 'object' && block !== null ? Object.keys(block) : [];
    if (keys.length !== 1 || !blockKinds.has(keys[0]!)) {
      throw new ValidationException(
        `${field}[${i}] is not a content block: it must have exactly one of ${[...blockKinds].join(', ')}; got ${describe(block)}.`,
      );
    }
    if ('text' in block && (typeof block.text !== 'string' || block.text.trim() === '')) {
      throw new ValidationException(`${field}[${i}].text is empty.`);
    }
  }
  return structuredClone(message as ContentBlock[]);
}

/** Checks a role given at run time (callers may not be type-checked). */
export function toRole(role: unknown): ConversationRole {
  if (role === 'user' || role === 'assistant') return role;
  throw new ValidationException(`role must be "user" or "assistant", got ${describe(role)}.`);
}

/**
 * Appends a message to a history, keeping Bedrock's rules: the first message is from the user and
 * roles alternate. With `mergeUser`, a user message after a trailing user message is merged into
 * it (its blocks appended) instead of refused: that is how a `send` follows an `addMessage`.
 */
export function appendMessage(
  history: readonly Message[],
  message: Message,
  mergeUser = false,
): Message[] {
  const last = history.at(-1);
  if (!last && message.role !== 'user') {
    throw new ValidationException(
      `The first message of a conversation must be from the user; got an ${message.role} message.`,
    );
  }
  if (last && last.role === message.role) {
    if (mergeUser && message.role === 'user') {
      return [
        ...history.slice(0, -1),
        { role: 'user', content: [...(last.content ?? []), ...(message.content ?? [])] },
      ];
    }
    throw new ValidationException(
      `Messages must alternate between user and assistant: the conversation already ends with a ${last.role} message, so the next one must be from the ${last.role === 'user' ? 'assistant' : 'user'}.`,
    );
  }
  return [...history, message];
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an object with keys [${Object.keys(value).join(', ')}]`;
  return typeof value === 'string' ? `"${value}"` : String(value);
}
