import {
  ConversationConflict,
  ConversationNotFound,
  QuotaStoreUnavailable,
} from '@bedrock-converse/runtime';
import { Redis } from 'ioredis';
import { decodeConversation, encodeConversation } from './conversation-codec.js';
import {
  type ConversationRecord,
  type ConversationSummary,
  summarise,
} from './conversation-record.js';
import type { ConversationStore } from './conversation-store.js';
import { internMessages } from './frozen-messages.js';

export interface RedisStoreOptions {
  /** e.g. "redis://127.0.0.1:6379". */
  url: string;
  /** Key prefix. Default "bedrock-converse:conversation:". */
  prefix?: string;
  /** Conversations expire after this long without a write. Default: never. */
  ttlSeconds?: number;
}

/**
 * Conversations in Redis, one key per conversation (the export format). A write is optimistic:
 * WATCH the key, check the version, MULTI/SET/EXEC; when another process wrote in between, EXEC
 * fails and the write is refused with ConversationConflict (never merged), so no message is lost.
 * Create with `await RedisConversationStore.connect(...)`: an unreachable Redis is a clear error.
 */
export class RedisConversationStore implements ConversationStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #ttl: number | undefined;

  static async connect(options: RedisStoreOptions): Promise<RedisConversationStore> {
    const redis = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: 2 });
    redis.on('error', () => {});
    try {
      await redis.connect();
    } catch (error) {
      redis.disconnect();
      // The same kind of error as the quota store's: the shared store cannot be reached.
      throw new QuotaStoreUnavailable(
        `Cannot reach Redis at ${options.url} for the conversation store: ${(error as Error).message}.`,
        { cause: error },
      );
    }
    return new RedisConversationStore(redis, options);
  }

  private constructor(redis: Redis, options: RedisStoreOptions) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? 'bedrock-converse:conversation:';
    this.#ttl = options.ttlSeconds;
  }

  async get(id: string): Promise<ConversationRecord | undefined> {
    const text = await this.#redis.get(this.#key(id));
    if (text === null) return undefined;
    const record = decodeConversation(text, `Conversation "${id}" in Redis`);
    return { ...record, messages: internMessages(record.messages, []) };
  }

  async create(record: Omit<ConversationRecord, 'version'>): Promise<ConversationRecord> {
    const stored = { ...record, version: 1 } as ConversationRecord;
    const args = this.#ttl ? (['EX', this.#ttl, 'NX'] as const) : (['NX'] as const);
    const ok = await this.#redis.set(
      this.#key(record.id),
      encodeConversation(stored),
      ...(args as ['NX']),
    );
    if (ok !== 'OK') {
      const current = await this.get(record.id);
      throw new ConversationConflict(record.id, 0, current?.version);
    }
    return stored;
  }

  async put(record: ConversationRecord): Promise<ConversationRecord> {
    const key = this.#key(record.id);
    // A connection of its own: WATCH belongs to the connection that runs the transaction.
    const connection = this.#redis.duplicate();
    try {
      await connection.watch(key);
      const text = await connection.get(key);
      if (text === null) throw new ConversationNotFound(record.id);
      const current = decodeConversation(text, `Conversation "${record.id}" in Redis`);
      if (current.version !== record.version) {
        throw new ConversationConflict(record.id, record.version, current.version);
      }
      const stored = { ...record, version: record.version + 1 };
      const multi = connection.multi();
      if (this.#ttl) multi.set(key, encodeConversation(stored), 'EX', this.#ttl);
      else multi.set(key, encodeConversation(stored));
      const result = await multi.exec();
      // EXEC answers null when the watched key changed: another writer got there first.
      if (result === null) {
        const now = await this.get(record.id);
        throw new ConversationConflict(record.id, record.version, now?.version);
      }
      return stored;
    } finally {
      connection.disconnect();
    }
  }

  async delete(id: string): Promise<boolean> {
    return (await this.#redis.del(this.#key(id))) > 0;
  }

  async list(): Promise<ConversationSummary[]> {
    const summaries: ConversationSummary[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await this.#redis.scan(
        cursor,
        'MATCH',
        `${this.#prefix}*`,
        'COUNT',
        200,
      );
      cursor = next;
      for (const key of keys) {
        const record = await this.get(key.slice(this.#prefix.length));
        if (record) summaries.push(summarise(record));
      }
    } while (cursor !== '0');
    return summaries;
  }

  async close(): Promise<void> {
    await this.#redis.quit();
  }

  #key(id: string) {
    return `${this.#prefix}${id}`;
  }
}
