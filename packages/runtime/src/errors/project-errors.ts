import { type ConverseErrorOptions, errorKind } from './converse-error.js';

/** The conversation id is not in the store. */
export class ConversationNotFound extends errorKind('ConversationNotFound', 404, false) {
  constructor(readonly conversationId: string) {
    super(`Conversation "${conversationId}" was not found.`);
  }
}

/**
 * A write was based on a version of the conversation that is no longer current: another writer got
 * there first. Nothing was written; read the conversation again and redo the change.
 */
export class ConversationConflict extends errorKind('ConversationConflict', 409, false) {
  constructor(
    readonly conversationId: string,
    readonly expectedVersion: number,
    readonly actualVersion: number | undefined,
  ) {
    super(
      `Conversation "${conversationId}" changed while this write was prepared (expected version ${expectedVersion}, found ${actualVersion ?? 'none'}). Nothing was written.`,
    );
  }
}

/** The connection to the model endpoint failed (refused, reset, timed out). */
export class ConnectionError extends errorKind('ConnectionError', undefined, true) {}

/** The caller aborted the call through its AbortSignal. */
export class AbortError extends errorKind('AbortError', undefined, false) {}

/**
 * A turn's tool loop reached its step limit (`maxSteps` model calls) while the model still asked for
 * tools. Nothing of the turn was stored.
 */
export class MaxStepsExceeded extends errorKind('MaxStepsExceeded', undefined, false) {
  constructor(readonly maxSteps: number) {
    super(
      `The model still asked for tools after ${maxSteps} model calls (maxSteps ${maxSteps}); the turn was stopped and nothing of it was stored. Raise maxSteps if the task needs more steps.`,
    );
  }
}

/**
 * The model reached `maxTokens` in the middle of a tool call. The half-formed call was not run and
 * nothing of the turn was stored: raise `inferenceConfig.maxTokens` and send again.
 */
export class MaxTokensReached extends errorKind('MaxTokensReached', undefined, false) {}

/**
 * The request cannot be made to fit the model's context window (or the history budget): even with
 * everything that may be pruned gone, it is too long. Nothing was stored.
 */
export class ContextWindowOverflow extends errorKind('ContextWindowOverflow', 400, false) {
  constructor(
    message: string,
    /** Estimated input tokens of the smallest request that could be made. */
    readonly estimatedTokens: number,
    /** The limit it had to fit: the model's context window or `maxHistoryTokens`. */
    readonly limitTokens: number | undefined,
    options: ConverseErrorOptions = {},
  ) {
    super(message, options);
  }
}

/** The quota scheduler's queue is full (`maxQueued`): the request was not queued. */
export class QuotaQueueFull extends errorKind('QuotaQueueFull', 429, false) {}

/** The shared quota store (Redis) cannot be reached: the scheduler will not run without it. */
export class QuotaStoreUnavailable extends errorKind('QuotaStoreUnavailable', undefined, false) {}

/** A stored or exported conversation that cannot be read: corrupted, or of an unknown version. */
export class ConversationFormatError extends errorKind('ConversationFormatError', 400, false) {}
