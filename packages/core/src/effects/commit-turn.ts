import type { Message, TokenUsage } from '@aws-sdk/client-bedrock-runtime';
import { calibrate } from '@bedrock-converse/memory';
import { replyMessage } from '@bedrock-converse/runtime';
import type {
  ConversationRecord,
  ConversationStore,
  LastRequest,
  MemoryState,
  UsageTotals,
} from '@bedrock-converse/store';
import type { CommitTurnInput, ModelReply, PreparedTurn } from '../machines/conversation-types.js';

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
  const memory = nextMemory(prepared, reply);
  return deps.store.put({
    ...prepared.record,
    messages,
    usage: addUsage(prepared.record.usage, reply?.result.usage),
    updatedAt: deps.now().toISOString(),
    ...(memory ? { memory } : {}),
  });
}

/** The memory bookkeeping after the turn: pins, summary, what was sent, the calibration. */
function nextMemory(
  prepared: PreparedTurn,
  reply: ModelReply | undefined,
): MemoryState | undefined {
  const previous = prepared.record.memory;
  const plan = prepared.memoryPlan;
  if (!reply) {
    // addMessage: only pins change.
    return plan ? { ...previous, pinned: plan.pinned } : previous;
  }
  // The reported input tokens belong to one request only when the turn made one call.
  const inputTokens = (reply.steps ?? 1) === 1 ? reply.result.usage?.inputTokens : undefined;
  const lastRequest: LastRequest = {
    ranges: toRanges(prepared.sentIndices, prepared.messages.length),
    historyLength: prepared.messages.length,
    ...(plan?.estimatedTokens === undefined ? {} : { estimatedTokens: plan.estimatedTokens }),
    ...(plan?.countedInputTokens !== undefined
      ? { estimatedInputTokens: plan.countedInputTokens }
      : plan?.rawInputEstimate === undefined
        ? {}
        : { estimatedInputTokens: plan.rawInputEstimate * (plan.calibration ?? 1) }),
    ...(inputTokens === undefined ? {} : { inputTokens }),
  };
  const memory: MemoryState = { ...previous, lastRequest };
  if (plan) memory.pinned = plan.pinned;
  if (plan?.summary) memory.summary = plan.summary;
  if (plan?.countedInputTokens !== undefined && plan.calibration !== undefined) {
    // Calibrated on the model's own count before sending: keep that.
    memory.calibration = plan.calibration;
  } else if (plan?.rawInputEstimate !== undefined) {
    const calibration = calibrate(previous?.calibration, plan.rawInputEstimate, inputTokens);
    if (calibration !== undefined) memory.calibration = calibration;
  }
  return memory;
}

/** Ascending indices as [start, end) ranges; absent indices mean all of `length`. */
function toRanges(indices: readonly number[] | undefined, length: number): Array<[number, number]> {
  if (!indices) return length > 0 ? [[0, length]] : [];
  const ranges: Array<[number, number]> = [];
  for (const index of indices) {
    const last = ranges.at(-1);
    if (last && last[1] === index) last[1] = index + 1;
    else ranges.push([index, index + 1]);
  }
  return ranges;
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
