import type {
  ContentBlock,
  InferenceConfiguration,
  Message,
  SystemContentBlock,
  ToolConfiguration,
} from '@aws-sdk/client-bedrock-runtime';
import { type ConverseInput, ValidationException } from '@bedrock-converse/runtime';
import type { ModelInfo } from '../registry/model-registry.js';

export interface RequestParts {
  modelInfo: ModelInfo;
  messages: Message[];
  systemPrompt?: string | undefined;
  inferenceConfig?: InferenceConfiguration | undefined;
  toolConfig?: ToolConfiguration | undefined;
  /** Place Bedrock prompt-cache checkpoints (for models whose registry entry supports them). */
  promptCaching?: boolean | undefined;
}

/**
 * The Converse request for a turn, adapted to what the model accepts:
 * - a system prompt for a model that takes none is folded into the first user message, as a text
 *   block ahead of that message's own content (the stored history is not changed);
 * - content the model cannot take (images, documents, tools) fails here, before any call, with a
 *   ValidationException that names the model and the block.
 */
export function buildConverseInput(parts: RequestParts): ConverseInput {
  const { modelInfo, systemPrompt } = parts;
  checkContent(parts.messages, modelInfo);
  let messages = parts.messages;
  let system: SystemContentBlock[] | undefined;
  if (systemPrompt) {
    if (modelInfo.capabilities.systemPrompt) system = [{ text: systemPrompt }];
    else messages = foldSystemPrompt(messages, systemPrompt);
  }
  const input: ConverseInput = { modelId: modelInfo.modelId, messages };
  if (system) input.system = system;
  if (parts.inferenceConfig && Object.keys(parts.inferenceConfig).length > 0) {
    input.inferenceConfig = parts.inferenceConfig;
  }
  if (parts.toolConfig?.tools?.length) {
    if (!modelInfo.capabilities.tools) {
      throw new ValidationException(
        `The model ${modelInfo.modelId} does not support tool use; send this turn without tools or use a model that has it (e.g. Claude, Nova, Mistral Large).`,
      );
    }
    input.toolConfig = parts.toolConfig;
  }
  if (parts.promptCaching && modelInfo.capabilities.promptCaching) addCachePoints(input, modelInfo);
  return input;
}

const cachePoint = { cachePoint: { type: 'default' as const } };

/**
 * Bedrock prompt caching: checkpoints after the system prompt, after the tools (Claude takes them
 * there, Nova does not) and after the stable history prefix (the messages before the newest user
 * turn), at most the 4 Bedrock allows. The stored history never carries them.
 */
function addCachePoints(input: ConverseInput, modelInfo: ModelInfo) {
  if (input.system?.length) input.system = [...input.system, cachePoint];
  if (input.toolConfig?.tools?.length && modelInfo.family !== 'amazon-nova') {
    input.toolConfig = { ...input.toolConfig, tools: [...input.toolConfig.tools, cachePoint] };
  }
  const messages = input.messages ?? [];
  if (messages.length >= 2) {
    const last = messages.length - 2;
    const prefixEnd = messages[last]!;
    const copy = [...messages];
    copy[last] = { ...prefixEnd, content: [...(prefixEnd.content ?? []), cachePoint] };
    input.messages = copy;
  }
}

function foldSystemPrompt(messages: Message[], systemPrompt: string): Message[] {
  const [first, ...rest] = messages;
  if (!first) return messages;
  const folded: ContentBlock[] = [{ text: systemPrompt }, ...(first.content ?? [])];
  return [{ ...first, content: folded }, ...rest];
}

function checkContent(messages: readonly Message[], model: ModelInfo) {
  const { images, documents } = model.capabilities;
  if (images && documents) return;
  for (const [i, message] of messages.entries()) {
    for (const block of message.content ?? []) {
      if ('image' in block && block.image && !images) {
        throw new ValidationException(
          `The model ${model.modelId} does not accept images (message ${i} has one). Use a model with image input, e.g. Claude 3.5 Sonnet or Nova Lite.`,
        );
      }
      if ('document' in block && block.document && !documents) {
        throw new ValidationException(
          `The model ${model.modelId} does not accept documents (message ${i} has one).`,
        );
      }
    }
  }
}
