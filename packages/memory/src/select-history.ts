import type { Message } from '@aws-sdk/client-bedrock-runtime';
import { HistoryView } from './history-view.js';
import type { HistorySummary, MemoryStrategy, StrategyContext } from './strategy.js';
import { estimateTextTokens } from './token-estimate.js';

export interface HistoryInput {
  /** The stored history with the newest user message appended. */
  messages: readonly Message[];
  /** Indices of pinned messages: their exchanges are always sent. */
  pinned?: readonly number[] | undefined;
  /** Multiplies the raw estimates (see calibrate). Default 1. */
  calibration?: number | undefined;
  summary?: HistorySummary | undefined;
  summarize?: StrategyContext['summarize'];
}

/** What a turn sends of its history. */
export interface HistorySelection {
  /** The messages to send: the kept ones, the summary (if any) folded into the first. */
  messages: Message[];
  /** For each sent message, its index in the stored history. */
  indices: number[];
  /** Calibrated tokens of `messages`. */
  estimatedTokens: number;
  /** The summary sent, with its estimated tokens. */
  summary?: (HistorySummary & { tokens: number }) | undefined;
}

/** The prefix a summary is sent with, ahead of the first kept message's own content. */
export const summaryHeading = 'Summary of the earlier conversation:';

/**
 * Applies a strategy: the kept exchanges (pinned ones, then everything from the cut on), with the
 * summary folded into the first message sent. Costs what is kept, not the whole history.
 */
export async function selectHistory(
  input: HistoryInput,
  strategy: MemoryStrategy,
): Promise<HistorySelection> {
  const view = new HistoryView(input.messages, input.pinned, input.calibration);
  const { cut, summary } = await strategy.select(view, {
    floor: 0,
    summary: input.summary,
    summarize: input.summarize,
  });
  const indices: number[] = [];
  for (const [start, end] of view.pinnedExchanges) {
    for (let i = start; i < Math.min(end, cut); i++) indices.push(i);
  }
  for (let i = cut; i < input.messages.length; i++) indices.push(i);
  const messages = indices.map((i) => input.messages[i]!);
  let estimatedTokens = 0;
  for (const i of indices) estimatedTokens += view.tokens(i);

  if (!summary || messages.length === 0) return { messages, indices, estimatedTokens };
  const block = { text: `${summaryHeading}\n${summary.text}` };
  const tokens = estimateTextTokens(block.text) * view.calibration;
  const first = messages[0]!;
  messages[0] = { ...first, content: [block, ...(first.content ?? [])] };
  return {
    messages,
    indices,
    estimatedTokens: estimatedTokens + tokens,
    summary: { ...summary, tokens },
  };
}
