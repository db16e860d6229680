import type { Message } from '@aws-sdk/client-bedrock-runtime';

/**
 * Copies `value` and freezes the copy deeply, so it can be shared between the store and its readers
 * without copying it again. Byte arrays (image and document bytes) cannot be frozen and are copied.
 * Messages and records are plain data, copied field by field (several times faster than
 * structuredClone for a message); anything else inside (a Date, a Map) goes through structuredClone.
 */
export function frozenCopy<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (ArrayBuffer.isView(value)) return (value as unknown as Uint8Array).slice() as T;
  if (Array.isArray(value)) return Object.freeze(value.map(frozenCopy)) as T;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    return deepFreeze(structuredClone(value));
  }
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value))
    copy[key] = frozenCopy((value as Record<string, unknown>)[key]);
  return Object.freeze(copy) as T;
}

/**
 * The messages of a write, as the store keeps them (a frozen array): messages it already holds
 * (frozen, shared) are kept as they are; any other message is copied and frozen. The usual write
 * is the held history plus new messages, which costs a pointer comparison per held message and a
 * copy per new one, however long the history is.
 */
export function internMessages(messages: readonly Message[], held: readonly Message[]): Message[] {
  let prefix = 0;
  while (prefix < messages.length && prefix < held.length && messages[prefix] === held[prefix]) {
    prefix += 1;
  }
  let known: Set<Message> | undefined;
  const result = messages.slice(0, prefix);
  for (let i = prefix; i < messages.length; i++) {
    const message = messages[i]!;
    // Only a frozen message can be one the store holds; build the lookup only when one shows up.
    if (Object.isFrozen(message)) known ??= new Set(held);
    result.push(known?.has(message) ? message : frozenCopy(message));
  }
  return Object.freeze(result) as Message[];
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return value;
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return Object.freeze(value);
}
