import type { Message } from '@aws-sdk/client-bedrock-runtime';
import type { HistoryView } from './history-view.js';

/** A summary of the pruned start of a history, as stored with the conversation. */
export interface HistorySummary {
  text: string;
  /** It summarises the messages before this index (pinned ones excepted: they are sent as they are). */
  covers: number;
}

/** What a strategy may use besides the history. */
export interface StrategyContext {
  /**
   * Where earlier strategies (in `compose`) cut: a strategy may cut later, never earlier.
   * Messages before the cut are not sent (pinned exchanges excepted).
   */
  floor: number;
  /** The summary stored with the conversation, if any. */
  summary?: HistorySummary | undefined;
  /** Asks the model for a summary of `messages`, continuing `previous` when given. */
  summarize?: ((messages: Message[], previous: string | undefined) => Promise<string>) | undefined;
}

/** Where a strategy cuts, and the summary of what it cut, if it makes one. */
export interface StrategyResult {
  /** The first message sent after pinned exchanges: always the start of an exchange. */
  cut: number;
  summary?: HistorySummary | undefined;
}

/**
 * A history pruning strategy: one small job. It chooses where the history is cut (at the start of
 * an exchange, never inside the newest one); pinned exchanges before the cut are kept whatever it
 * chooses. That is how every strategy keeps every invariant (see history-units.ts).
 */
export interface MemoryStrategy {
  readonly name: string;
  /** The token budget it keeps the history within, when it has one. */
  readonly maxTokens?: number | undefined;
  select(view: HistoryView, context: StrategyContext): StrategyResult | Promise<StrategyResult>;
}
