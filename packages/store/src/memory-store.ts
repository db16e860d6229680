import type { Message } from '@aws-sdk/client-bedrock-runtime';
import { ConversationConflict, ConversationNotFound } from '@bedrock-converse/runtime';
import {
  type ConversationRecord,
  type ConversationSummary,
  summarise,
} from './conversation-record.js';
import type { ConversationStore } from './conversation-store.js';
import { frozenCopy, internMessages } from './frozen-messages.js';

/**
 * The default store: conversations in this process's memory, gone when it exits. What it keeps of a
 * record (messages and the array that holds them, metadata, inference settings, usage, memory) is
 * copied once when written, deeply frozen, and shared with readers: a read copies only the record's
 * top level, so reads and writes cost about the same for a 10-message and a 10 000-message history.
 */
export class MemoryConversationStore implements ConversationStore {
  readonly #records = new Map<string, ConversationRecord>();

  async get(id: string): Promise<ConversationRecord | undefined> {
    const record = this.#records.get(id);
    return record && { ...record };
  }

  async create(record: Omit<ConversationRecord, 'version'>): Promise<ConversationRecord> {
    const current = this.#records.get(record.id);
    if (current) throw new ConversationConflict(record.id, 0, current.version);
    const stored = frozenRecord({ ...record, version: 1 }, []);
    this.#records.set(record.id, stored);
    return { ...stored };
  }

  async put(record: ConversationRecord): Promise<ConversationRecord> {
    const current = this.#records.get(record.id);
    if (!current) throw new ConversationNotFound(record.id);
    if (current.version !== record.version) {
      throw new ConversationConflict(record.id, record.version, current.version);
    }
    const stored = frozenRecord({ ...record, version: record.version + 1 }, current.messages);
    this.#records.set(record.id, stored);
    return { ...stored };
  }

  async delete(id: string): Promise<boolean> {
    return this.#records.delete(id);
  }

  async list(): Promise<ConversationSummary[]> {
    return [...this.#records.values()].map(summarise);
  }
}

/**
 * The record as kept: its parts copied and deeply frozen (messages the store already holds are
 * shared, not copied). Readers get a shallow copy of it: they may replace its fields, and changing
 * a part in place throws instead of changing the stored conversation.
 */
function frozenRecord(record: ConversationRecord, held: readonly Message[]): ConversationRecord {
  const stored: ConversationRecord = {
    ...record,
    messages: internMessages(record.messages, held),
    usage: frozenCopy(record.usage),
  };
  if (record.metadata !== undefined) stored.metadata = frozenCopy(record.metadata);
  if (record.inferenceConfig !== undefined) {
    stored.inferenceConfig = frozenCopy(record.inferenceConfig);
  }
  if (record.memory !== undefined) stored.memory = frozenCopy(record.memory);
  return Object.freeze(stored);
}
