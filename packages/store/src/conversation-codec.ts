import type { Message } from '@aws-sdk/client-bedrock-runtime';
import { ConversationFormatError } from '@bedrock-converse/runtime';
import { z } from 'zod';
import type { ConversationRecord } from './conversation-record.js';
import { repairHistory } from './repair-history.js';

/** The name and version of the export format (also what the file and Redis stores write). */
export const conversationFormat = 'bedrock-converse.conversation';
export const conversationFormatVersion = 1;

const bytes = z.object({ $base64: z.string() });
const block = z
  .object({
    text: z.string().optional(),
    image: z.object({ format: z.string(), source: z.record(z.string(), z.unknown()) }).optional(),
    document: z
      .object({
        name: z.string(),
        format: z.string().optional(),
        source: z.record(z.string(), z.unknown()),
      })
      .optional(),
    toolUse: z
      .object({ toolUseId: z.string(), name: z.string(), input: z.unknown() })
      .loose()
      .optional(),
    toolResult: z
      .object({
        toolUseId: z.string(),
        content: z.array(z.record(z.string(), z.unknown())),
        status: z.enum(['success', 'error']).optional(),
      })
      .loose()
      .optional(),
  })
  .loose()
  .refine((b) => Object.keys(b).length === 1, 'a content block has exactly one kind');
const message = z.object({
  role: z.enum(['user', 'assistant']),
  content: z.array(block).min(1),
});
const record = z
  .object({
    id: z.string().min(1),
    modelId: z.string().min(1),
    systemPrompt: z.string().optional(),
    inferenceConfig: z.record(z.string(), z.unknown()).optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
    messages: z.array(message),
    usage: z.object({
      inputTokens: z.number(),
      outputTokens: z.number(),
      totalTokens: z.number(),
      cacheReadInputTokens: z.number(),
      cacheWriteInputTokens: z.number(),
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.number().int().nonnegative(),
    memory: z.record(z.string(), z.unknown()).optional(),
  })
  .loose();
const envelope = z.object({
  format: z.literal(conversationFormat),
  version: z.number().int(),
  conversation: z.unknown(),
});

/** JSON.stringify's replacer for byte arrays: `{ "$base64": … }`. */
export function bytesToJson(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? { $base64: Buffer.from(value).toString('base64') } : value;
}

/** JSON.parse's reviver undoing bytesToJson. */
export function bytesFromJson(_key: string, value: unknown): unknown {
  return bytes.safeParse(value).success
    ? Uint8Array.from(Buffer.from((value as { $base64: string }).$base64, 'base64'))
    : value;
}

/**
 * A conversation as versioned JSON: `{ format, version, conversation }`, byte arrays (images,
 * documents) as `{ "$base64": … }`. What exportConversation returns and the stores write.
 */
export function encodeConversation(conversation: ConversationRecord): string {
  return JSON.stringify(
    { format: conversationFormat, version: conversationFormatVersion, conversation },
    bytesToJson,
  );
}

/**
 * Reads what encodeConversation wrote, checked with zod; ConversationFormatError, saying what is
 * wrong, for a corrupted text or another version. The history is repaired on the way in (see
 * repairHistory), so one interrupted turn never poisons a conversation.
 */
export function decodeConversation(text: string, source = 'the conversation'): ConversationRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(text, bytesFromJson);
  } catch (error) {
    throw new ConversationFormatError(`${source} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const outer = envelope.safeParse(raw);
  if (!outer.success) {
    throw new ConversationFormatError(
      `${source} is not a bedrock-converse conversation (expected { format: "${conversationFormat}", version, conversation }).`,
    );
  }
  if (outer.data.version !== conversationFormatVersion) {
    throw new ConversationFormatError(
      `${source} has format version ${outer.data.version}; this version of bedrock-converse reads version ${conversationFormatVersion}. ${outer.data.version > conversationFormatVersion ? 'Upgrade bedrock-converse to read it.' : ''}`.trim(),
    );
  }
  const parsed = record.safeParse(outer.data.conversation);
  if (!parsed.success) {
    throw new ConversationFormatError(`${source} is damaged: ${z.prettifyError(parsed.error)}`);
  }
  const conversation = parsed.data as unknown as ConversationRecord;
  return { ...conversation, messages: repairHistory(conversation.messages as Message[]) };
}
