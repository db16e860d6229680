import { ContextWindowOverflow, ValidationException } from '@bedrock-converse/runtime';
import type { HistoryView } from './history-view.js';
import type {
  HistorySummary,
  MemoryStrategy,
  StrategyContext,
  StrategyResult,
} from './strategy.js';
import { estimateTextTokens } from './token-estimate.js';

function positiveInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ValidationException(
      `${name} must be a whole number of at least 1, got ${String(value)}.`,
    );
  }
  return value;
}

/** Sends the last `maxMessages` messages (whole exchanges; the newest exchange always). */
export function slidingWindow({ maxMessages }: { maxMessages: number }): MemoryStrategy {
  positiveInteger('maxMessages', maxMessages);
  return {
    name: 'slidingWindow',
    select(view, { floor }) {
      let cut = Math.max(view.lastStart, floor);
      let count = view.messages.length - cut;
      for (const [start, end] of view.exchangesBefore(cut)) {
        if (start < floor) break;
        if (!view.isPinnedExchange(start)) {
          if (count + (end - start) > maxMessages) break;
          count += end - start;
        }
        cut = start;
      }
      return { cut };
    },
  };
}

/** The latest cut whose kept messages (pinned ones included) fit in `budget` tokens. */
function cutForBudget(view: HistoryView, floor: number, budget: number, what: string): number {
  const last = Math.max(view.lastStart, floor);
  let used = view.tokensOf(last, view.messages.length) + view.pinnedTokensBefore(last);
  if (used > budget) {
    throw new ContextWindowOverflow(
      `The newest message${view.pinnedExchanges.length ? ' with the pinned messages' : ''} needs about ${Math.ceil(used)} tokens, more than ${what} (${budget}); nothing was sent or stored.`,
      Math.ceil(used),
      budget,
    );
  }
  let cut = last;
  for (const [start, end] of view.exchangesBefore(last)) {
    if (start < floor) break;
    if (!view.isPinnedExchange(start)) {
      const tokens = view.tokensOf(start, end);
      if (used + tokens > budget) break;
      used += tokens;
    }
    cut = start;
  }
  return cut;
}

/**
 * Sends the newest exchanges that fit in `maxTokens` (the seed's `maxHistoryTokens`), pinned
 * exchanges included. ContextWindowOverflow when the newest exchange and the pinned ones alone do
 * not fit.
 */
export function tokenBudget({ maxTokens }: { maxTokens: number }): MemoryStrategy {
  positiveInteger('maxTokens', maxTokens);
  return {
    name: 'tokenBudget',
    maxTokens,
    select: (view, { floor }) => ({
      cut: cutForBudget(view, floor, maxTokens, 'the history budget'),
    }),
  };
}

export interface SummarizingOptions {
  /** The history budget, summary included. */
  maxTokens: number;
  /** Tokens kept for the summary. Default: a quarter of maxTokens, at most 800. */
  summaryTokens?: number;
}

/**
 * Like tokenBudget, but what it prunes is summarised by the model itself into one summary that is
 * sent ahead of the kept messages (folded into the first one, so roles still alternate). The summary
 * is stored with the conversation and refreshed, from the previous one plus the newly pruned
 * messages, whenever the cut moves.
 */
export function summarizing(options: SummarizingOptions): MemoryStrategy {
  const maxTokens = positiveInteger('maxTokens', options.maxTokens);
  const reserve = positiveInteger(
    'summaryTokens',
    options.summaryTokens ?? Math.max(1, Math.min(800, Math.floor(maxTokens / 4))),
  );
  return {
    name: 'summarizing',
    maxTokens,
    async select(view, context): Promise<StrategyResult> {
      const cut = cutForBudget(view, context.floor, maxTokens - reserve, 'the history budget');
      if (cut === 0) return { cut };
      const previous = context.summary;
      if (previous && previous.covers === cut) return { cut, summary: previous };
      if (!context.summarize) {
        throw new ValidationException(
          'The summarizing strategy needs a summarize function (ConverseClient provides one).',
        );
      }
      // Refresh from the previous summary when the cut moved on; start over if it moved back.
      const from = previous && previous.covers < cut ? previous.covers : 0;
      const pruned = unpinned(view, from, cut);
      const text = await context.summarize(pruned, from > 0 ? previous?.text : undefined);
      return {
        cut,
        summary: { text: fitText(text, reserve), covers: cut } satisfies HistorySummary,
      };
    },
  };
}

function unpinned(view: HistoryView, from: number, to: number) {
  const messages = [];
  for (let i = from; i < to; i++) {
    const start = view.pinnedExchanges.find(([s, e]) => i >= s && i < e);
    if (!start) messages.push(view.messages[i]!);
  }
  return messages;
}

/** Cuts a text to about `tokens` tokens, keeping its start. */
function fitText(text: string, tokens: number): string {
  if (estimateTextTokens(text) <= tokens) return text;
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (estimateTextTokens(`${text.slice(0, mid)} …`) <= tokens) low = mid;
    else high = mid - 1;
  }
  return `${text.slice(0, low)} …`;
}

/**
 * Strategies applied in order, each cutting at least where the previous one did (so `compose(
 * slidingWindow(...), tokenBudget(...))` keeps what both allow). A summarizing strategy goes last:
 * it summarises everything cut before it.
 */
export function compose(...strategies: MemoryStrategy[]): MemoryStrategy {
  const budgets = strategies.flatMap((s) => (s.maxTokens === undefined ? [] : [s.maxTokens]));
  return {
    name: `compose(${strategies.map((s) => s.name).join(', ')})`,
    maxTokens: budgets.length > 0 ? Math.min(...budgets) : undefined,
    async select(view, context: StrategyContext) {
      let result: StrategyResult = { cut: context.floor };
      for (const strategy of strategies) {
        const next = await strategy.select(view, { ...context, floor: result.cut });
        result = { cut: Math.max(next.cut, result.cut), summary: next.summary ?? result.summary };
      }
      return result;
    },
  };
}
