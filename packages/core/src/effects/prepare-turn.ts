import type { InferenceConfiguration, Message } from '@aws-sdk/client-bedrock-runtime';
import {
  estimateOverheadTokens,
  type MemoryStrategy,
  type StrategyContext,
  selectHistory,
} from '@bedrock-converse/memory';
import { ConversationNotFound, type ConverseInput } from '@bedrock-converse/runtime';
import type { ConversationStore } from '@bedrock-converse/store';
import type { MemoryPlan, PreparedTurn, PrepareTurnInput } from '../machines/conversation-types.js';
import type { ModelRegistry } from '../registry/model-registry.js';
import { buildConverseInput, type RequestParts } from '../turns/build-request.js';
import { checkMedia } from '../turns/check-media.js';
import { appendMessage } from '../turns/message-content.js';

export interface PrepareTurnDeps {
  store: ConversationStore;
  registry: ModelRegistry;
  inferenceConfig?: InferenceConfiguration | undefined;
  /** Place prompt-cache checkpoints in requests (models that support them). */
  promptCaching?: boolean | undefined;
  /** History pruning: what the model sees of a long conversation. Absent: the whole history. */
  memory?:
    | {
        strategy: MemoryStrategy;
        summarize?: StrategyContext['summarize'] | undefined;
        /**
         * The model's exact count of a request (the CountTokens operation), when the client is
         * asked to use it; undefined when the model cannot count.
         */
        countTokens?: ((request: ConverseInput) => Promise<number | undefined>) | undefined;
      }
    | undefined;
}

/**
 * Reads the conversation and builds the turn: the new history (all of it, to be stored) and the
 * request (what the model sees of it, after the memory strategy). Stores nothing.
 */
export async function prepareTurnWith(
  deps: PrepareTurnDeps,
  { conversationId, task }: PrepareTurnInput,
): Promise<PreparedTurn> {
  const record = await deps.store.get(conversationId);
  if (!record) throw new ConversationNotFound(conversationId);
  const stored = record.memory?.pinned ?? [];
  if (task.kind === 'append') {
    await checkMedia([{ role: task.role, content: task.content }]);
    const messages = appendMessage(record.messages, { role: task.role, content: task.content });
    return {
      record,
      messages,
      ...(task.pinned ? { memoryPlan: { pinned: withPin(stored, messages) } } : {}),
    };
  }
  const messages = appendMessage(record.messages, { role: 'user', content: task.content }, true);
  const pinned = task.pinned ? withPin(stored, messages) : stored;
  const modelInfo = deps.registry.resolve(record.modelId);
  const parts: RequestParts = {
    modelInfo,
    messages,
    systemPrompt: record.systemPrompt,
    inferenceConfig: {
      ...deps.inferenceConfig,
      ...record.inferenceConfig,
      ...task.inferenceConfig,
    },
    toolConfig: task.toolConfig,
    promptCaching: deps.promptCaching,
  };
  let sentIndices: number[] | undefined;
  let memoryPlan: MemoryPlan | undefined = task.pinned ? { pinned } : undefined;
  if (deps.memory) {
    let calibration = record.memory?.calibration ?? 1;
    const select = () =>
      selectHistory(
        {
          messages,
          pinned,
          calibration,
          summary: record.memory?.summary,
          summarize: deps.memory!.summarize,
        },
        deps.memory!.strategy,
      );
    let selection = await select();
    let exactInput: number | undefined;
    if (deps.memory.countTokens) {
      // Count the request exactly, calibrate on it now, and select again if the count says so.
      const counting = buildConverseInput({ ...parts, messages: selection.messages });
      const counted = await deps.memory.countTokens(counting);
      const raw = selection.estimatedTokens / calibration;
      const fixed = estimateOverheadTokens(counting);
      if (counted !== undefined && raw > 0 && counted > fixed) {
        calibration = (counted - fixed) / raw;
        const again = await select();
        if (sameIndices(again.indices, selection.indices)) exactInput = counted;
        selection = again;
      }
    }
    parts.messages = selection.messages;
    sentIndices = selection.indices;
    memoryPlan = {
      pinned,
      summary: selection.summary,
      estimatedTokens: selection.estimatedTokens,
      calibration,
      ...(exactInput === undefined ? {} : { countedInputTokens: exactInput }),
    };
  }
  const request = buildConverseInput(parts);
  await checkMedia(parts.messages, new Set(task.content));
  if (memoryPlan?.estimatedTokens !== undefined) {
    memoryPlan.rawInputEstimate =
      memoryPlan.estimatedTokens / (memoryPlan.calibration ?? 1) + estimateOverheadTokens(request);
  }
  const streamFallback =
    task.stream === true &&
    request.toolConfig !== undefined &&
    !modelInfo.capabilities.toolsWhileStreaming;
  return {
    record,
    messages,
    request,
    requestParts: parts,
    ...(sentIndices ? { sentIndices } : {}),
    ...(memoryPlan ? { memoryPlan } : {}),
    ...(streamFallback ? { streamFallback } : {}),
  };
}

/** The pins with the newest message added (a merged user message keeps its index). */
function withPin(pinned: readonly number[], messages: readonly Message[]): number[] {
  const index = messages.length - 1;
  return pinned.includes(index) ? [...pinned] : [...pinned, index];
}

function sameIndices(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}
