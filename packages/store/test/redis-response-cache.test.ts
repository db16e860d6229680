import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RedisResponseCache } from '../src/redis-response-cache.js';

describe('RedisResponseCache', () => {
  it('shares answers through Redis, bytes included, and lets them expire', async () => {
    const prefix = `test:${randomUUID()}:`;
    const writer = new RedisResponseCache({ url: 'redis://127.0.0.1:6379', prefix, ttlSeconds: 1 });
    const reader = new RedisResponseCache({ url: 'redis://127.0.0.1:6379', prefix, ttlSeconds: 1 });
    const value = {
      kind: 'stream' as const,
      events: [
        {
          contentBlockDelta: {
            contentBlockIndex: 0,
            delta: { reasoningContent: { redactedContent: Uint8Array.of(7, 8) } },
          },
        },
      ],
    };
    await writer.set('k', value);
    expect(await reader.get('k')).toStrictEqual(value);
    expect(await reader.get('missing')).toBeUndefined();
    await new Promise((r) => setTimeout(r, 1100));
    expect(await reader.get('k')).toBeUndefined();
    await writer.close();
    await reader.close();
  });
});
