import { ConversationNotFound } from '@bedrock-converse/runtime';
import { decodeConversation, encodeConversation } from './conversation-codec.js';
import type { ConversationRecord } from './conversation-record.js';
import type { ConversationStore } from './conversation-store.js';

/** A conversation as versioned JSON (images and documents as base64): the seed's save. */
export async function exportConversation(store: ConversationStore, id: string): Promise<string> {
  const record = await store.get(id);
  if (!record) throw new ConversationNotFound(id);
  return encodeConversation(record);
}

/**
 * Loads an exported conversation into a store (the seed's load), checked and repaired on the way;
 * `id` gives it a new id. ConversationFormatError for a damaged file or one of another version.
 */
export async function importConversation(
  store: ConversationStore,
  text: string,
  options: { id?: string } = {},
): Promise<ConversationRecord> {
  const { version: _version, ...record } = decodeConversation(text, 'The imported conversation');
  return store.create({ ...record, ...(options.id ? { id: options.id } : {}) });
}
