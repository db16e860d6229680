import { estimateMessageTokens, type MemoryStrategy } from '@bedrock-converse/memory';
import type { ConversationRecord } from '@bedrock-converse/store';

/** `getMemoryStats`: what the model sees of a conversation, in tokens and messages. */
export interface MemoryStats {
  /** Estimated tokens of the history the last request sent (summary included; calibrated). */
  currentTokens: number;
  /** What is left: the history budget (or the model's context window) minus `currentTokens`. */
  availableTokens: number;
  /** The strategy's history budget, when it has one. */
  maxHistoryTokens: number | undefined;
  /** Messages stored. */
  messageCount: number;
  /** Messages the last request sent. */
  sentMessageCount: number;
  /** Messages of the history that request was made from which it did not send. */
  prunedMessageCount: number;
  /** Estimated tokens of the summary sent, 0 without one. */
  summaryTokens: number;
  /**
   * How far the estimate of the last request was from the input tokens the model reported:
   * (estimated − reported) ÷ reported, e.g. 0.05 for 5 % over. Undefined until one is known.
   */
  estimateError: number | undefined;
}

export function memoryStatsOf(
  record: ConversationRecord,
  strategy: MemoryStrategy | undefined,
  contextWindow: number,
): MemoryStats {
  const memory = record.memory;
  const last = memory?.lastRequest;
  let sentMessageCount = 0;
  for (const [start, end] of last?.ranges ?? []) sentMessageCount += end - start;
  const summaryTokens =
    memory?.summary && last?.estimatedTokens !== undefined ? memory.summary.tokens : 0;
  let currentTokens = last?.estimatedTokens;
  if (currentTokens === undefined) {
    // No strategy estimated it when it was sent: estimate it now, from the ranges.
    const calibration = memory?.calibration ?? 1;
    currentTokens = 0;
    for (const [start, end] of last?.ranges ?? []) {
      for (let i = start; i < end && i < record.messages.length; i++) {
        currentTokens += estimateMessageTokens(record.messages[i]!) * calibration;
      }
    }
  }
  const maxHistoryTokens = strategy?.maxTokens;
  const estimated = last?.estimatedInputTokens;
  const reported = last?.inputTokens;
  return {
    currentTokens: Math.round(currentTokens),
    availableTokens: Math.max(0, Math.round((maxHistoryTokens ?? contextWindow) - currentTokens)),
    maxHistoryTokens,
    messageCount: record.messages.length,
    sentMessageCount,
    prunedMessageCount: last ? last.historyLength - sentMessageCount : 0,
    summaryTokens: Math.round(summaryTokens),
    estimateError:
      estimated !== undefined && reported ? (estimated - reported) / reported : undefined,
  };
}
