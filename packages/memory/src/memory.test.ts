import type { Message } from '@aws-sdk/client-bedrock-runtime';
import { ContextWindowOverflow } from '@bedrock-converse/runtime';
import { describe, expect, it } from 'vitest';
import { calibrate } from './calibration.js';
import { selectHistory, summaryHeading } from './select-history.js';
import { shrinkForOverflow, toolResultCutThreshold } from './shrink.js';
import { slidingWindow, summarizing, tokenBudget } from './strategies.js';
import {
  estimateImageTokens,
  estimateMessageTokens,
  estimateTextTokens,
  maxImageTokens,
} from './token-estimate.js';

const user = (text: string): Message => ({ role: 'user', content: [{ text }] });
const assistant = (text: string): Message => ({ role: 'assistant', content: [{ text }] });
/** n exchanges of a question and an answer, then a newest question. */
const chat = (n: number, words = 20) => [
  ...Array.from({ length: n }, (_, i) => [
    user(`question ${i} ${'word '.repeat(words)}`),
    assistant(`answer ${i} ${'word '.repeat(words)}`),
  ]).flat(),
  user('newest'),
];

describe('token estimates', () => {
  it('counts words and marks, not just characters, and images by their size', () => {
    expect(estimateTextTokens('')).toBe(0);
    expect(estimateTextTokens('a b c d')).toBe(4);
    expect(estimateTextTokens('{"a":[1,2]}')).toBe(11);
    expect(estimateTextTokens('x'.repeat(400))).toBe(100);
    const png1x1 = Uint8Array.from(
      Buffer.from(
        'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
        'base64',
      ),
    );
    expect(estimateImageTokens(png1x1)).toBe(1);
    expect(estimateImageTokens(Uint8Array.of(1, 2, 3))).toBe(maxImageTokens);
  });

  it('caches per message object', () => {
    const message = user('hello there');
    const first = estimateMessageTokens(message);
    (message.content![0] as { text: string }).text = 'changed '.repeat(50);
    expect(estimateMessageTokens(message)).toBe(first);
  });

  it('calibrates halfway towards what the model reports', () => {
    expect(calibrate(undefined, 100, 150)).toBe(1.5);
    expect(calibrate(1.5, 100, 100)).toBe(1.25);
    expect(calibrate(1.25, 100, undefined)).toBe(1.25);
  });
});

describe('strategies', () => {
  it('slidingWindow keeps the last whole exchanges within maxMessages', async () => {
    const selection = await selectHistory({ messages: chat(5) }, slidingWindow({ maxMessages: 4 }));
    expect(selection.indices).toStrictEqual([8, 9, 10]);
  });

  it('tokenBudget keeps the newest exchanges that fit, plus pinned ones', async () => {
    const messages = chat(6);
    const budget = [0, 1, 10, 11, 12].reduce(
      (sum, i) => sum + estimateMessageTokens(messages[i]!),
      0,
    );
    const selection = await selectHistory(
      { messages, pinned: [1] },
      tokenBudget({ maxTokens: budget + 2 }),
    );
    // Exchange 0 is pinned (through its answer, message 1); then the newest exchanges that fit.
    expect(selection.indices).toStrictEqual([0, 1, 10, 11, 12]);
    expect(selection.estimatedTokens).toBeLessThanOrEqual(budget + 2);
  });

  it('tokenBudget refuses a newest message bigger than the budget', async () => {
    await expect(
      selectHistory({ messages: [user('word '.repeat(500))] }, tokenBudget({ maxTokens: 100 })),
    ).rejects.toBeInstanceOf(ContextWindowOverflow);
  });

  it('summarizing folds a summary of the pruned part into the first message, and refreshes it', async () => {
    const calls: Array<{ count: number; previous: string | undefined }> = [];
    const summarize = async (pruned: Message[], previous: string | undefined) => {
      calls.push({ count: pruned.length, previous });
      return `summary of ${pruned.length}`;
    };
    const strategy = summarizing({ maxTokens: 200, summaryTokens: 40 });
    const first = await selectHistory({ messages: chat(8), summarize }, strategy);
    expect(first.summary?.covers).toBe(first.indices[0]);
    expect(first.messages[0]!.content![0]).toStrictEqual({
      text: `${summaryHeading}\nsummary of ${first.summary!.covers}`,
    });
    expect(first.messages[0]!.role).toBe('user');

    // Same cut: the stored summary is reused, no model call.
    await selectHistory({ messages: chat(8), summarize, summary: first.summary }, strategy);
    expect(calls).toHaveLength(1);
    // The history grew: the summary is refreshed from the previous one plus what was newly cut.
    const later = await selectHistory(
      { messages: chat(10), summarize, summary: first.summary },
      strategy,
    );
    expect(calls[1]!.previous).toBe(first.summary!.text);
    expect(calls[1]!.count).toBe(later.summary!.covers - first.summary!.covers);
  });
});

describe('overflow recovery', () => {
  it('cuts the largest oversized tool result to head and tail before dropping messages', () => {
    const big = 'x'.repeat(toolResultCutThreshold * 3);
    const messages: Message[] = [
      user('old'),
      assistant('old answer'),
      user('q'),
      { role: 'assistant', content: [{ toolUse: { toolUseId: 't', name: 'f', input: {} } }] },
      { role: 'user', content: [{ toolResult: { toolUseId: 't', content: [{ text: big }] } }] },
    ];
    const once = shrinkForOverflow({ messages, indices: [0, 1, 2, 3, 4] })!;
    const cut = (once.messages[4]!.content![0]!.toolResult!.content![0] as { text: string }).text;
    expect(cut.length).toBeLessThan(big.length / 2);
    expect(cut).toMatch(/characters cut to fit the context window/);
    expect(once.messages).toHaveLength(5);
    // Then whole exchanges go, oldest first, never the newest.
    const twice = shrinkForOverflow(once)!;
    expect(twice.indices).toStrictEqual([2, 3, 4]);
    expect(shrinkForOverflow(twice)).toBeUndefined();
  });

  it('never drops a pinned exchange', () => {
    const messages = chat(2);
    expect(
      shrinkForOverflow({ messages, indices: [0, 1, 2, 3, 4] }, new Set([0]))!.indices,
    ).toStrictEqual([0, 1, 4]);
  });
});
