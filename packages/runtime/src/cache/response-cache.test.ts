import { describe, expect, it } from 'vitest';
import { MemoryResponseCache, requestKey } from './response-cache.js';

const answer = (text: string) => ({
  kind: 'converse' as const,
  result: {
    output: { message: { role: 'assistant' as const, content: [{ text }] } },
    stopReason: 'end_turn' as const,
    usage: undefined,
    metrics: undefined,
  },
});

describe('MemoryResponseCache', () => {
  it('keeps the most recently used entries, and forgets them after their time', async () => {
    let now = 0;
    const cache = new MemoryResponseCache({ maxEntries: 2, ttlMs: 100, now: () => now });
    await cache.set('a', answer('a'));
    await cache.set('b', answer('b'));
    await cache.get('a'); // a is now the most recent
    await cache.set('c', answer('c'));
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toStrictEqual(answer('a'));
    now = 150;
    expect(await cache.get('c')).toBeUndefined();
  });

  it('keys a request by its exact content, bytes included', () => {
    const request = {
      modelId: 'm',
      messages: [
        {
          role: 'user',
          content: [{ image: { format: 'png', source: { bytes: Uint8Array.of(1, 2) } } }],
        },
      ],
    };
    const same = structuredClone(request);
    const other = structuredClone(request);
    other.messages[0]!.content[0]!.image.source.bytes = Uint8Array.of(1, 3);
    expect(requestKey('converse', request)).toBe(requestKey('converse', same));
    expect(requestKey('converse', request)).not.toBe(requestKey('converse', other));
    expect(requestKey('converse', request)).not.toBe(requestKey('stream', request));
  });
});
