import type { CachedResponse, ResponseCache } from '@bedrock-converse/runtime';
import { Redis } from 'ioredis';
import { bytesFromJson, bytesToJson } from './conversation-codec.js';

/** A response cache in Redis, shared between processes; entries expire after `ttlSeconds`. */
export class RedisResponseCache implements ResponseCache {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #ttl: number;

  constructor(options: { url: string; ttlSeconds?: number; prefix?: string }) {
    this.#redis = new Redis(options.url, { maxRetriesPerRequest: 2 });
    this.#redis.on('error', () => {});
    this.#prefix = options.prefix ?? 'bedrock-converse:response:';
    this.#ttl = options.ttlSeconds ?? 600;
  }

  async get(key: string): Promise<CachedResponse | undefined> {
    const text = await this.#redis.get(this.#prefix + key);
    if (text === null) return undefined;
    return JSON.parse(text, bytesFromJson) as CachedResponse;
  }

  async set(key: string, value: CachedResponse): Promise<void> {
    await this.#redis.set(this.#prefix + key, JSON.stringify(value, bytesToJson), 'EX', this.#ttl);
  }

  async close(): Promise<void> {
    await this.#redis.quit();
  }
}
