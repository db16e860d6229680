import type { InferenceConfiguration, Message } from '@aws-sdk/client-bedrock-runtime';

/** Token totals of a conversation, summed over its turns (Bedrock's `TokenUsage` field names). */
export interface UsageTotals {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  cacheReadInputTokens: number;
  cacheWriteInputTokens: number;
}

/** The memory bookkeeping of a conversation (plain data, written with each turn). */
export interface MemoryState {
  /** Indices of pinned messages: their exchanges are always sent. */
  pinned?: number[] | undefined;
  /** The model-made summary of the pruned start of the history (summarizing strategy). */
  summary?: { text: string; covers: number; tokens: number } | undefined;
  /** Reported ÷ estimated tokens, learned from the turns (see memory's `calibrate`). */
  calibration?: number | undefined;
  lastRequest?: LastRequest | undefined;
}

/** What the last model request sent of the history. */
export interface LastRequest {
  /** Stored indices of the messages sent, as [start, end) ranges, ascending. */
  ranges: Array<[number, number]>;
  /** How many stored messages the request was made from (its newest message included). */
  historyLength: number;
  /** Calibrated estimate of the messages sent (summary included), when a strategy made one. */
  estimatedTokens?: number | undefined;
  /** Calibrated estimate of the whole request (system prompt and tools too). */
  estimatedInputTokens?: number | undefined;
  /** Input tokens the model reported for it (single-call turns). */
  inputTokens?: number | undefined;
}

/** One conversation as a store holds it. Messages are in Converse shape. */
export interface ConversationRecord {
  id: string;
  modelId: string;
  systemPrompt?: string | undefined;
  inferenceConfig?: InferenceConfiguration | undefined;
  metadata?: Record<string, unknown> | undefined;
  messages: Message[];
  usage: UsageTotals;
  /** ISO-8601 timestamps. */
  createdAt: string;
  updatedAt: string;
  memory?: MemoryState | undefined;
  /**
   * Optimistic-concurrency version: 1 after creation, +1 on every write. A write names the version
   * it was based on and is refused when that is no longer current.
   */
  version: number;
}

export interface ConversationSummary {
  id: string;
  modelId: string;
  messageCount: number;
  createdAt: string;
  updatedAt: string;
  version: number;
  metadata?: Record<string, unknown> | undefined;
}

export function emptyUsage(): UsageTotals {
  return {
    inputTokens: 0,
    outputTokens: 0,
    totalTokens: 0,
    cacheReadInputTokens: 0,
    cacheWriteInputTokens: 0,
  };
}

export function summarise(record: ConversationRecord): ConversationSummary {
  const summary: ConversationSummary = {
    id: record.id,
    modelId: record.modelId,
    messageCount: record.messages.length,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    version: record.version,
  };
  if (record.metadata !== undefined) summary.metadata = record.metadata;
  return summary;
}
