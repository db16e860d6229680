import { ConversationConflict, ConversationNotFound } from '@bedrock-converse/runtime';
import {
  type ConversationRecord,
  type ConversationSummary,
  summarise,
} from './conversation-record.js';
import type { ConversationStore } from './conversation-store.js';

/** The default store: conversations in this process's memory, gone when it exits. */
export class MemoryConversationStore implements ConversationStore {
  readonly #records = new Map<string, ConversationRecord>();

  async get(id: string): Promise<ConversationRecord | undefined> {
    const record = this.#records.get(id);
    return record && structuredClone(record);
  }

  async create(record: Omit<ConversationRecord, 'version'>): Promise<ConversationRecord> {
    const current = this.#records.get(record.id);
    if (current) throw new ConversationConflict(record.id, 0, current.version);
    const stored: ConversationRecord = { ...structuredClone(record), version: 1 };
    this.#records.set(record.id, stored);
    return structuredClone(stored);
  }

  async put(record: ConversationRecord): Promise<ConversationRecord> {
    const current = this.#records.get(record.id);
    if (!current) throw new ConversationNotFound(record.id);
    if (current.version !== record.version) {
      throw new ConversationConflict(record.id, record.version, current.version);
    }
    const stored: ConversationRecord = { ...structuredClone(record), version: record.version + 1 };
    this.#records.set(record.id, stored);
    return structuredClone(stored);
  }

  async delete(id: string): Promise<boolean> {
    return this.#records.delete(id);
  }

  async list(): Promise<ConversationSummary[]> {
    return [...this.#records.values()].map(summarise);
  }
}
