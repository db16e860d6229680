// Two processes write the same conversation through the Redis store: versioned writes refuse the
// stale one with a typed conflict, the writer sends again, and no message is lost.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { scriptedRuntime } from '@bedrock-converse/local';
import { RedisConversationStore } from '@bedrock-converse/store';
import { describe, expect, it } from 'vitest';
import { lastJsonLine, runTs } from '../../../scripts/run-ts.js';
import { ConverseClient } from '../src/index.js';

const url = 'redis://127.0.0.1:6379';
const writer = fileURLToPath(new URL('./fixtures/redis-writer.ts', import.meta.url));

const write = (conversationId: string, name: string, turns: number) =>
  lastJsonLine<{ conflicts: number }>(
    runTs(writer, [url, conversationId, name, String(turns)], { stderr: 'inherit' }),
  );

describe('RedisConversationStore', () => {
  it('two processes on one conversation: typed conflicts, retried, no message lost', async () => {
    const store = await RedisConversationStore.connect({ url, ttlSeconds: 600 });
    const client = new ConverseClient({
      modelId: 'local.scripted',
      store,
      runtime: scriptedRuntime(),
    });
    const id = await client.createConversation();
    const [a, b] = await Promise.all([write(id, 'a', 25), write(id, 'b', 25)]);
    expect(a.conflicts + b.conflicts).toBeGreaterThan(0);

    const { messages } = await client.getConversationHistory(id);
    expect(messages).toHaveLength(100);
    const sent = messages
      .filter((m) => m.role === 'user')
      .map((m) => (m.content![0] as { text: string }).text);
    expect([...sent].sort()).toStrictEqual(
      [
        ...Array.from({ length: 25 }, (_, i) => `a-${i}`),
        ...Array.from({ length: 25 }, (_, i) => `b-${i}`),
      ].sort(),
    );
    // Each process's own turns stay in its order.
    for (const name of ['a', 'b']) {
      const own = sent.filter((t) => t.startsWith(name)).map((t) => Number(t.split('-')[1]));
      expect(own).toStrictEqual([...own].sort((x, y) => x - y));
    }
    await store.delete(id);
    await store.close();
  }, 60_000);

  it('survives a restart: a new connection and client carry the conversation on', async () => {
    const prefix = `test:${randomUUID()}:`;
    const first = await RedisConversationStore.connect({ url, prefix, ttlSeconds: 60 });
    const before = new ConverseClient({
      modelId: 'local.scripted',
      store: first,
      runtime: scriptedRuntime(),
    });
    const id = await before.createConversation();
    await before.sendMessage({ conversationId: id, message: 'My name is Ada.' });
    await first.close();

    const second = await RedisConversationStore.connect({ url, prefix });
    const after = new ConverseClient({
      modelId: 'local.scripted',
      store: second,
      runtime: scriptedRuntime(),
    });
    expect(await after.sendMessage({ conversationId: id, message: 'What is my name?' })).toContain(
      'Ada',
    );
    expect((await after.getConversationHistory(id)).messages).toHaveLength(4);
    await second.delete(id);
    await second.close();
  });
});
