import { ConversationConflict, ConversationNotFound } from '@bedrock-converse/runtime';
import {
  type ConversationRecord,
  type ConversationSummary,
  summarise,
} from './conversation-record.js';
import type { ConversationStore } from './conversation-store.js';
import { internMessages } from './frozen-messages.js';

/**
 * The default store: conversations in this process's memory, gone when it exits. Messages and the
 * array that holds them are kept deeply frozen and shared with readers (nothing is copied on a
 * read), so reads and writes cost about the same for a 10-message and a 10 000-message history.
 */
export class MemoryConversationStore implements ConversationStore {
  readonly #records = new Map<string, ConversationRecord>();

  async get(id: string): Promise<ConversationRecord | undefined> {
    const record = this.#records.get(id);
    return record && copyOf(record);
  }

  async create(record: Omit<ConversationRecord, 'version'>): Promise<ConversationRecord> {
    const current = this.#records.get(record.id);
    if (current) throw new ConversationConflict(record.id, 0, current.version);
    const stored = {
      ...copyOf({ ...record, version: 0 }),
      messages: internMessages(record.messages, []),
      version: 1,
    };
    this.#records.set(record.id, stored);
    return copyOf(stored);
  }

  async put(record: ConversationRecord): Promise<ConversationRecord> {
    const current = this.#records.get(record.id);
    if (!current) throw new ConversationNotFound(record.id);
    if (current.version !== record.version) {
      throw new ConversationConflict(record.id, record.version, current.version);
    }
    const stored: ConversationRecord = {
      ...copyOf(record),
      messages: internMessages(record.messages, current.messages),
      version: record.version + 1,
    };
    this.#records.set(record.id, stored);
    return copyOf(stored);
  }

  async delete(id: string): Promise<boolean> {
    return this.#records.delete(id);
  }

  async list(): Promise<ConversationSummary[]> {
    return [...this.#records.values()].map(summarise);
  }
}

/** A copy a caller may change freely; the frozen messages array and messages are shared. */
function copyOf(record: ConversationRecord): ConversationRecord {
  const copy: ConversationRecord = {
    ...record,
    usage: { ...record.usage },
  };
  if (record.metadata !== undefined) copy.metadata = structuredClone(record.metadata);
  if (record.inferenceConfig !== undefined)
    copy.inferenceConfig = structuredClone(record.inferenceConfig);
  if (record.memory !== undefined) copy.memory = structuredClone(record.memory);
  return copy;
}
