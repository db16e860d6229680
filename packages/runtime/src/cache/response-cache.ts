import { createHash } from 'node:crypto';
import type { ConverseResult, ConverseStreamEvent } from '../model-runtime.js';

/** What a response cache holds for one request: the answer, or the stream's events. */
export type CachedResponse =
  | { kind: 'converse'; result: ConverseResult }
  | { kind: 'stream'; events: ConverseStreamEvent[] };

/** Where answers are kept: in memory (MemoryResponseCache), Redis (the store package), or yours. */
export interface ResponseCache {
  get(key: string): Promise<CachedResponse | undefined>;
  set(key: string, value: CachedResponse): Promise<void>;
}

/**
 * The cache key of a request: a SHA-256 of its exact content (model id, messages, system, tools,
 * settings; bytes included), so only an identical request matches.
 */
export function requestKey(kind: CachedResponse['kind'], request: unknown): string {
  const hash = createHash('sha256');
  hash.update(kind);
  hash.update(
    JSON.stringify(request, (_key, value: unknown) =>
      value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value,
    ),
  );
  return hash.digest('hex');
}

/** An in-memory LRU cache with a time to live. */
export class MemoryResponseCache implements ResponseCache {
  readonly #entries = new Map<string, { value: CachedResponse; expires: number }>();
  readonly #maxEntries: number;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: { maxEntries?: number; ttlMs?: number; now?: () => number } = {}) {
    this.#maxEntries = options.maxEntries ?? 1000;
    this.#ttlMs = options.ttlMs ?? 10 * 60_000;
    this.#now = options.now ?? Date.now;
  }

  async get(key: string): Promise<CachedResponse | undefined> {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    if (entry.expires <= this.#now()) return undefined;
    this.#entries.set(key, entry); // most recently used last
    return entry.value;
  }

  async set(key: string, value: CachedResponse): Promise<void> {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expires: this.#now() + this.#ttlMs });
    while (this.#entries.size > this.#maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value as string);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}
