import type { Message, TokenUsage } from '@aws-sdk/client-bedrock-runtime';
import { replyMessage } from '@bedrock-converse/runtime';
import type { ConversationRecord, ConversationStore, UsageTotals } from '@bedrock-converse/store';
import type { CommitTurnInput } from '../machines/conversation-types.js';

export interface CommitTurnDeps {
  store: ConversationStore;
  now: () => Date;
}

/** Writes the whole turn in one versioned put: all of it is stored, or none of it. */
export async function commitTurnWith(
  deps: CommitTurnDeps,
  { prepared, reply }: CommitTurnInput,
): Promise<ConversationRecord> {
  const answer = reply && replyMessage(reply.result);
  const added: Message[] = reply?.messages ?? (answer ? [answer] : []);
  const messages = added.length > 0 ? [...prepared.messages, ...added] : prepared.messages;
  return deps.store.put({
    ...prepared.record,
    messages,
    usage: addUsage(prepared.record.usage, reply?.result.usage),
    updatedAt: deps.now().toISOString(),
  });
}

function addUsage(totals: UsageTotals, usage: TokenUsage | undefined): UsageTotals {
  if (!usage) return totals;
  return {
    inputTokens: totals.inputTokens + (usage.inputTokens ?? 0),
    outputTokens: totals.outputTokens + (usage.outputTokens ?? 0),
    totalTokens: totals.totalTokens + (usage.totalTokens ?? 0),
    cacheReadInputTokens: totals.cacheReadInputTokens + (usage.cacheReadInputTokens ?? 0),
    cacheWriteInputTokens: totals.cacheWriteInputTokens + (usage.cacheWriteInputTokens ?? 0),
  };
}
