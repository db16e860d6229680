import type { ContentBlock, Message } from '@aws-sdk/client-bedrock-runtime';

/** The text given to a tool call that never got its result (the turn was interrupted). */
export const interruptedToolResult =
  'The tool call did not finish: the conversation was interrupted before its result was recorded.';

/**
 * A history Bedrock accepts again after a crash left it invalid: a toolUse with no toolResult gets
 * an error result (added to the next user message, or in a new one at the end), an error result
 * with no content gets a message, and a toolResult whose toolUse is gone becomes plain text. A
 * valid history comes back as it was (the same array).
 */
export function repairHistory(messages: Message[]): Message[] {
  let changed = false;
  const out: Message[] = [];
  for (let i = 0; i < messages.length; i++) {
    let message = messages[i]!;
    if (message.role === 'user') {
      const asked = new Set(
        (out.at(-1)?.role === 'assistant' ? (out.at(-1)!.content ?? []) : []).flatMap((b) =>
          b.toolUse?.toolUseId ? [b.toolUse.toolUseId] : [],
        ),
      );
      const content = (message.content ?? []).map((block): ContentBlock => {
        const result = block.toolResult;
        if (!result) return block;
        if (!asked.has(result.toolUseId ?? '')) {
          changed = true;
          return {
            text: `[A tool result whose call is missing: ${JSON.stringify(result.content ?? [])}]`,
          };
        }
        if (result.status === 'error' && !(result.content ?? []).length) {
          changed = true;
          return {
            toolResult: { ...result, content: [{ text: 'The tool failed without a message.' }] },
          };
        }
        return block;
      });
      if (content.some((b, k) => b !== message.content?.[k])) message = { ...message, content };
    }
    out.push(message);
    // Every toolUse of an assistant message needs its result in the next message.
    if (message.role === 'assistant') {
      const uses = (message.content ?? []).flatMap((b) =>
        b.toolUse?.toolUseId ? [b.toolUse.toolUseId] : [],
      );
      if (uses.length === 0) continue;
      const next = messages[i + 1];
      const answered = new Set(
        (next?.role === 'user' ? (next.content ?? []) : []).flatMap((b) =>
          b.toolResult?.toolUseId ? [b.toolResult.toolUseId] : [],
        ),
      );
      const missing: ContentBlock[] = uses
        .filter((id) => !answered.has(id))
        .map((toolUseId) => ({
          toolResult: { toolUseId, status: 'error', content: [{ text: interruptedToolResult }] },
        }));
      if (missing.length === 0) continue;
      changed = true;
      if (next?.role === 'user') {
        messages = [...messages];
        messages[i + 1] = { ...next, content: [...missing, ...(next.content ?? [])] };
      } else {
        out.push({ role: 'user', content: missing });
      }
    }
  }
  return changed ? out : messages;
}
