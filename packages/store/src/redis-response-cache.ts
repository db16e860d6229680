import type { CachedResponse, ResponseCache } from '@bedrock-converse/runtime';
import { Redis } from 'ioredis';

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
    return JSON.parse(text, (_k, value: unknown) =>
      typeof value === 'object' && value !== null && '$base64' in value
        ? Uint8Array.from(Buffer.from(String((value as { $base64: string }).$base64), 'base64'))
        : value,
    ) as CachedResponse;
  }

  async set(key: string, value: CachedResponse): Promise<void> {
    const text = JSON.stringify(value, (_k, v: unknown) =>
      v instanceof Uint8Array ? { $base64: Buffer.from(v).toString('base64') } : v,
    );
    await this.#redis.set(this.#prefix + key, text, 'EX', this.#ttl);
  }

  async close(): Promise<void> {
    await this.#redis.quit();
  }
}
