import { errorKind } from './converse-error.js';

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
