import type { InferenceConfiguration } from '@aws-sdk/client-bedrock-runtime';
import { ConversationNotFound } from '@bedrock-converse/runtime';
import type { ConversationStore } from '@bedrock-converse/store';
import type { PreparedTurn, PrepareTurnInput } from '../machines/conversation-types.js';
import type { ModelRegistry } from '../registry/model-registry.js';
import { buildConverseInput } from '../turns/build-request.js';
import { appendMessage } from '../turns/message-content.js';

export interface PrepareTurnDeps {
  store: ConversationStore;
  registry: ModelRegistry;
  inferenceConfig?: InferenceConfiguration | undefined;
}

/** Reads the conversation and builds the turn: the new history and the request. Stores nothing. */
export async function prepareTurnWith(
  deps: PrepareTurnDeps,
  { conversationId, task }: PrepareTurnInput,
): Promise<PreparedTurn> {
  const record = await deps.store.get(conversationId);
  if (!record) throw new ConversationNotFound(conversationId);
  if (task.kind === 'append') {
    return {
      record,
      messages: appendMessage(record.messages, { role: task.role, content: task.content }),
    };
  }
  const messages = appendMessage(record.messages, { role: 'user', content: task.content }, true);
  const modelInfo = deps.registry.resolve(record.modelId);
  const request = buildConverseInput({
    modelInfo,
    messages,
    systemPrompt: record.systemPrompt,
    inferenceConfig: {
      ...deps.inferenceConfig,
      ...record.inferenceConfig,
      ...task.inferenceConfig,
    },
    toolConfig: task.toolConfig,
  });
  const streamFallback =
    task.stream === true &&
    request.toolConfig !== undefined &&
    !modelInfo.capabilities.toolsWhileStreaming;
  return { record, messages, request, ...(streamFallback ? { streamFallback } : {}) };
}
