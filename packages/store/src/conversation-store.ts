import type { ConversationRecord, ConversationSummary } from './conversation-record.js';

/**
 * Where conversations live. Every backend keeps the same contract:
 * - `create` stores a new record at version 1 and refuses an id that exists (ConversationConflict);
 * - `put(record)` writes `record` only if the stored version still equals `record.version`, and
 *   stores it at `record.version + 1`; a stale write throws ConversationConflict and changes nothing;
 *   a missing id throws ConversationNotFound;
 * - what a caller gets from `get` and what it passes to `put` are copies: changing them later never
 *   changes the stored conversation. A record's parts (messages, metadata, usage, memory) may be
 *   handed out deeply frozen (read-only) rather than copied, as the memory store does.
 */
export interface ConversationStore {
  get(id: string): Promise<ConversationRecord | undefined>;
  create(record: Omit<ConversationRecord, 'version'>): Promise<ConversationRecord>;
  put(record: ConversationRecord): Promise<ConversationRecord>;
  /** True if a conversation was deleted. */
  delete(id: string): Promise<boolean>;
  list(): Promise<ConversationSummary[]>;
}
