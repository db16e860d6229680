import type { Message } from '@aws-sdk/client-bedrock-runtime';

/**
 * A history is cut only between *exchanges*: an exchange starts at a user message that carries no
 * toolResult (a user turn) and runs to the next one. Keeping or dropping whole exchanges keeps every
 * invariant Bedrock checks: the first message is a user's, roles alternate, and a toolUse and its
 * toolResult stay together.
 */
export function startsExchange(message: Message | undefined): boolean {
  return (
    message?.role === 'user' &&
    !(message.content ?? []).some((block) => block.toolResult !== undefined)
  );
}

/** Index of the exchange that holds message `index` (where it starts). */
export function exchangeStart(messages: readonly Message[], index: number): number {
  let i = index;
  while (i > 0 && !startsExchange(messages[i])) i -= 1;
  return i;
}

/** One past the last message of the exchange that starts at `start`. */
export function exchangeEnd(messages: readonly Message[], start: number): number {
  let i = start + 1;
  while (i < messages.length && !startsExchange(messages[i])) i += 1;
  return i;
}
