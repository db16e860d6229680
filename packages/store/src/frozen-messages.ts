import type { Message } from '@aws-sdk/client-bedrock-runtime';

/**
 * Copies `message` and freezes the copy deeply, so it can be shared between the store and its
 * readers without copying it again. Byte arrays (image and document bytes) cannot be frozen and are
 * copied instead.
 */
export function frozenCopy(message: Message): Message {
  return deepFreeze(structuredClone(message));
}

/**
 * The messages of a write, as the store keeps them: messages it already holds (frozen, shared) are
 * kept as they are; any other message is copied and frozen. A write therefore costs what its new
 * messages cost, however long the history is.
 */
export function internMessages(messages: readonly Message[], held: readonly Message[]): Message[] {
  const known = new Set(held);
  return messages.map((message) => (known.has(message) ? message : frozenCopy(message)));
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return value;
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return Object.freeze(value);
}
