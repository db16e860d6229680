// Property tests: over 10 000 random histories (tool pairs, images, pinned messages), every strategy
// sends a history Bedrock accepts, keeps the newest message and the pinned ones, and stays in budget.
import type { ContentBlock, Message } from '@aws-sdk/client-bedrock-runtime';
import { ContextWindowOverflow } from '@bedrock-converse/runtime';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { HistoryView } from './history-view.js';
import { selectHistory } from './select-history.js';
import { shrinkForOverflow } from './shrink.js';
import { compose, slidingWindow, summarizing, tokenBudget } from './strategies.js';
import type { MemoryStrategy } from './strategy.js';
import { estimateMessages } from './token-estimate.js';

// A 1×1 PNG.
const png = Uint8Array.from(
  Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
    'base64',
  ),
);

const text = fc
  .string({ minLength: 1, maxLength: 80 })
  .map((t): ContentBlock => ({ text: `${t}.` }));
const image: fc.Arbitrary<ContentBlock> = fc.constant({
  image: { format: 'png', source: { bytes: png } },
});

let ids = 0;
/** One exchange: a user turn, optional tool rounds, an answer; the last exchange is the question only. */
const exchange = (last: boolean): fc.Arbitrary<Message[]> =>
  fc
    .tuple(
      fc.array(fc.oneof({ weight: 4, arbitrary: text }, { weight: 1, arbitrary: image }), {
        minLength: 1,
        maxLength: 2,
      }),
      fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: last ? 0 : 2 }),
      fc.string({ maxLength: 400 }),
    )
    .map(([userBlocks, rounds, answer]) => {
      const messages: Message[] = [{ role: 'user', content: userBlocks }];
      if (last) return messages;
      for (const calls of rounds) {
        const round = Array.from({ length: calls }, () => `t${++ids}`);
        messages.push({
          role: 'assistant',
          content: round.map((toolUseId) => ({
            toolUse: { toolUseId, name: 'f', input: { q: answer.slice(0, 20) } },
          })),
        });
        messages.push({
          role: 'user',
          content: round.map((toolUseId) => ({
            toolResult: { toolUseId, content: [{ text: answer.repeat(3) || 'ok' }] },
          })),
        });
      }
      messages.push({ role: 'assistant', content: [{ text: `${answer}!` }] });
      return messages;
    });

const history = fc
  .tuple(fc.array(exchange(false), { maxLength: 12 }), exchange(true))
  .map(([earlier, newest]) => [...earlier.flat(), ...newest]);

const scenario = fc.record({
  messages: history,
  pinnedSeeds: fc.array(fc.nat(), { maxLength: 3 }),
  maxMessages: fc.integer({ min: 1, max: 20 }),
  maxTokens: fc.integer({ min: 1, max: 3000 }),
  calibration: fc.double({ min: 0.5, max: 2, noNaN: true }),
});

/** A plain check: fast enough to run a few million times (vitest's expect is not). */
function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(what);
}

const ids_ = (message: Message | undefined, kind: 'toolUse' | 'toolResult') =>
  (message?.content ?? [])
    .flatMap((b) => (b[kind] ? [b[kind].toolUseId] : []))
    .sort()
    .join(',');

function checkBedrockRules(sent: Message[]) {
  check(sent[0]?.role === 'user', 'the first message sent is a user message');
  for (let i = 1; i < sent.length; i++) {
    check(sent[i]!.role !== sent[i - 1]!.role, `roles alternate (message ${i})`);
  }
  for (let i = 0; i < sent.length; i++) {
    const uses = ids_(sent[i], 'toolUse');
    if (uses !== '') check(ids_(sent[i + 1], 'toolResult') === uses, `toolUse ${i} is answered`);
    const results = ids_(sent[i], 'toolResult');
    if (results !== '') check(ids_(sent[i - 1], 'toolUse') === results, `toolResult ${i} is asked`);
  }
}

const strategies = (s: { maxMessages: number; maxTokens: number }): MemoryStrategy[] => [
  slidingWindow({ maxMessages: s.maxMessages }),
  tokenBudget({ maxTokens: s.maxTokens }),
  summarizing({ maxTokens: s.maxTokens + 50, summaryTokens: 50 }),
  compose(slidingWindow({ maxMessages: s.maxMessages }), tokenBudget({ maxTokens: s.maxTokens })),
];

describe('memory strategies (property)', () => {
  it('keep every invariant over 10 000 random histories', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const pinned = s.pinnedSeeds.map((seed) => seed % s.messages.length);
        const view = new HistoryView(s.messages, pinned, s.calibration);
        // What must be sent whatever happens: the newest exchange and the pinned ones.
        const mustTokens =
          view.tokensOf(view.lastStart, s.messages.length) +
          view.pinnedTokensBefore(view.lastStart);
        for (const strategy of strategies(s)) {
          let selection: Awaited<ReturnType<typeof selectHistory>>;
          try {
            selection = await selectHistory(
              {
                messages: s.messages,
                pinned,
                calibration: s.calibration,
                summarize: async (pruned, previous) =>
                  `${previous ?? ''}${pruned.length} messages about things.`,
              },
              strategy,
            );
          } catch (error) {
            // Only a budget the newest and pinned messages alone exceed may be refused.
            check(error instanceof ContextWindowOverflow, String(error));
            const budget = strategy.maxTokens! - (strategy.name === 'summarizing' ? 50 : 0);
            check(mustTokens > budget, 'refused only when the newest and pinned exceed the budget');
            continue;
          }
          const sent = selection.messages;
          checkBedrockRules(sent);
          // The newest user message is always the last one sent.
          check(sent.at(-1)!.content!.at(-1) === s.messages.at(-1)!.content!.at(-1), 'newest kept');
          check(selection.indices.at(-1) === s.messages.length - 1, 'newest index');
          // Pinned messages are always sent.
          for (const index of pinned)
            check(selection.indices.includes(index), `pinned ${index} sent`);
          // Indices are ascending and point at what is sent.
          for (let i = 1; i < selection.indices.length; i++) {
            check(selection.indices[i]! > selection.indices[i - 1]!, 'indices ascend');
          }
          if (strategy.maxTokens !== undefined) {
            check(selection.estimatedTokens <= strategy.maxTokens + 1e-6, 'within budget');
          }
          if (strategy.name === 'slidingWindow') {
            const unpinned = selection.indices.filter(
              (i) => i < view.lastStart && !view.pinnedExchanges.some(([a, b]) => i >= a && i < b),
            );
            const newest = s.messages.length - view.lastStart;
            check(unpinned.length + newest <= Math.max(s.maxMessages, newest), 'window size');
          }
          // Overflow recovery rounds keep the rules too, and each one removes something.
          if (strategy.name !== 'tokenBudget') continue;
          let round = { messages: sent, indices: selection.indices };
          for (let k = 0; k < 3; k++) {
            const next = shrinkForOverflow(round, new Set(pinned));
            if (!next) break;
            checkBedrockRules(next.messages);
            check(estimateMessages(next.messages) < estimateMessages(round.messages), 'progress');
            round = next;
          }
        }
      }),
      { numRuns: 10_000 },
    );
  }, 120_000);
});
