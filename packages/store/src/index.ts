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
export { frozenCopy, internMessages } from './frozen-messages.js';
export { MemoryConversationStore } from './memory-store.js';
