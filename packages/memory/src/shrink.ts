import type { ContentBlock, Message, ToolResultBlock } from '@aws-sdk/client-bedrock-runtime';
import { exchangeStart, startsExchange } from './history-units.js';

/** A request's messages with, for each, its index in the stored history (-1 when it has none). */
export interface SentMessages {
  messages: Message[];
  indices: number[];
}

/** Tool results longer than this (in characters) may be cut to head and tail. */
export const toolResultCutThreshold = 2000;
const keepEach = 600;

/**
 * One round of overflow recovery: a smaller request, or undefined when nothing more can go.
 * First the largest tool result over the threshold is cut to its head and tail with a marker;
 * only when none is left are whole exchanges dropped, oldest first, never a pinned one (stored
 * indices in `pinned`) and never the newest. Every round removes tokens, so recovery always ends.
 */
export function shrinkForOverflow(
  sent: SentMessages,
  pinned: ReadonlySet<number> = new Set(),
): SentMessages | undefined {
  const cut = cutLargestToolResult(sent);
  if (cut) return cut;
  const { messages, indices } = sent;
  const last = messages.length === 0 ? 0 : exchangeStart(messages, messages.length - 1);
  let start = 0;
  while (start < last) {
    let end = start + 1;
    while (end < messages.length && !startsExchange(messages[end])) end += 1;
    const isPinned = indices.slice(start, end).some((i) => pinned.has(i));
    if (!isPinned && end <= last) {
      return {
        messages: [...messages.slice(0, start), ...messages.slice(end)],
        indices: [...indices.slice(0, start), ...indices.slice(end)],
      };
    }
    start = end;
  }
  return undefined;
}

function cutLargestToolResult(sent: SentMessages): SentMessages | undefined {
  let best: { message: number; block: number; length: number } | undefined;
  sent.messages.forEach((message, m) => {
    (message.content ?? []).forEach((block, b) => {
      if (!block.toolResult) return;
      const length = toolResultText(block.toolResult).length;
      if (length > toolResultCutThreshold && length > (best?.length ?? 0)) {
        best = { message: m, block: b, length };
      }
    });
  });
  if (!best) return undefined;
  const { message: m, block: b } = best;
  const message = sent.messages[m]!;
  const result = message.content![b]!.toolResult!;
  const text = toolResultText(result);
  const marker = `\n[… ${text.length - 2 * keepEach} characters cut to fit the context window …]\n`;
  const cutBlock: ContentBlock = {
    toolResult: {
      ...result,
      content: [{ text: `${text.slice(0, keepEach)}${marker}${text.slice(-keepEach)}` }],
    },
  };
  const content = [...message.content!];
  content[b] = cutBlock;
  const messages = [...sent.messages];
  messages[m] = { ...message, content };
  return { messages, indices: sent.indices };
}

function toolResultText(result: ToolResultBlock): string {
  return (result.content ?? [])
    .map((part) => part.text ?? (part.json === undefined ? '' : JSON.stringify(part.json)))
    .join('\n');
}
