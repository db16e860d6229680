// Re-exported so one import serves the common case.
export {
  AbortError,
  ContextWindowOverflow,
  ConversationNotFound,
  ConverseError,
  MaxStepsExceeded,
  MaxTokensReached,
  ModelErrorException,
  ThrottlingException,
  ValidationException,
} from '@bedrock-converse/runtime';
export {
  type AddMessageOptions,
  type ConversationHistory,
  ConverseClient,
  type ConverseClientOptions,
  type CreateConversationOptions,
  FunctionCallingConverseClient,
  type FunctionCallingResult,
  type LastRequestView,
  MemoryAwareConverseClient,
  MultimodalConverseClient,
  type SendMessageOptions,
  type SendResult,
  StreamingConverseClient,
} from './converse-client.js';
export type { QuotaGate } from './effects/quota-gate.js';
export { toMermaid } from './inspection/to-mermaid.js';
export {
  type ConversationContext,
  type ConversationEmitted,
  type ConversationEvent,
  type ConversationInput,
  conversationMachine,
  conversationSetup,
} from './machines/conversation-machine.js';
export type {
  AppendTask,
  CallModelInput,
  CommitTurnInput,
  ConversationTask,
  EffectCommand,
  EffectEvent,
  ModelReply,
  PreparedTurn,
  PrepareTurnInput,
  ReserveQuotaInput,
  SendTask,
  StreamModelInput,
  TurnEffects,
} from './machines/conversation-types.js';
export {
  type ModelStepInput,
  type ToolLoopContext,
  type ToolLoopInput,
  type ToolLoopOutput,
  type ToolStepInput,
  toolLoopMachine,
  toolLoopSetup,
  toolUsesOf,
} from './machines/tool-loop-machine.js';
export { turnEffects } from './machines/turn-effects.js';
export type { MemoryStats } from './memory/memory-stats.js';
export { summaryInstruction } from './memory/summarize-with-model.js';
export {
  baseModelIdOf,
  defaultModelEntries,
  type ModelCapabilities,
  type ModelEntry,
  type ModelInfo,
  ModelRegistry,
  unknownModelDefaults,
} from './registry/model-registry.js';
export { StreamAssembler, type TurnStreamEvent } from './streaming/stream-events.js';
export { type StartTurn, type TurnHandle, TurnStream } from './streaming/turn-stream.js';
export { buildConverseInput, type RequestParts } from './turns/build-request.js';
export { checkMedia, mediaLimits } from './turns/check-media.js';
export {
  appendMessage,
  type MessageInput,
  toContentBlocks,
  toRole,
} from './turns/message-content.js';
