export { type BedrockRuntimeOptions, bedrockRuntime } from './bedrock/bedrock-runtime.js';
export { cachedRuntime } from './cache/cached-runtime.js';
export {
  type CachedResponse,
  MemoryResponseCache,
  type ResponseCache,
  requestKey,
} from './cache/response-cache.js';
export {
  AccessDeniedException,
  type BedrockExceptionName,
  bedrockExceptions,
  InternalServerException,
  isBedrockExceptionName,
  ModelErrorException,
  ModelNotReadyException,
  ModelStreamErrorException,
  ModelTimeoutException,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  ServiceUnavailableException,
  ThrottlingException,
  ValidationException,
} from './errors/bedrock-exceptions.js';
export {
  ConverseError,
  type ConverseErrorOptions,
  type ErrorMetadata,
} from './errors/converse-error.js';
export { isContextOverflow } from './errors/is-context-overflow.js';
export {
  AbortError,
  ConnectionError,
  ContextWindowOverflow,
  ConversationConflict,
  ConversationFormatError,
  ConversationNotFound,
  MaxStepsExceeded,
  MaxTokensReached,
  QuotaQueueFull,
  QuotaStoreUnavailable,
} from './errors/project-errors.js';
export { toConverseError } from './errors/to-converse-error.js';
export type {
  ConverseInput,
  ConverseResult,
  ConverseStreamEvent,
  ConverseStreamInput,
  CountTokensInput,
  ModelRuntime,
  RuntimeCallOptions,
} from './model-runtime.js';
export { replyMessage } from './reply-message.js';
export { defaultRetryOptions, type RetryOptions, retry } from './retry/retry.js';
export { sleep } from './sleep.js';
export { type StreamChunking, streamEventsOf } from './stream/result-to-stream.js';
