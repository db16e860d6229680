export {
  conversationFormat,
  conversationFormatVersion,
  decodeConversation,
  encodeConversation,
} from './conversation-codec.js';
export {
  type ConversationRecord,
  type ConversationSummary,
  emptyUsage,
  type LastRequest,
  type MemoryState,
  summarise,
  type UsageTotals,
} from './conversation-record.js';
export type { ConversationStore } from './conversation-store.js';
export { exportConversation, importConversation } from './export-conversation.js';
export { FileConversationStore, type FileStoreOptions } from './file-store.js';
export { frozenCopy, internMessages } from './frozen-messages.js';
export { MemoryConversationStore } from './memory-store.js';
export { RedisResponseCache } from './redis-response-cache.js';
export { RedisConversationStore, type RedisStoreOptions } from './redis-store.js';
export { interruptedToolResult, repairHistory } from './repair-history.js';
