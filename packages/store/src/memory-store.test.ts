import { ConversationConflict, ConversationNotFound } from '@bedrock-converse/runtime';
import { describe, expect, it } from 'vitest';
import { emptyUsage } from './conversation-record.js';
import { MemoryConversationStore } from './memory-store.js';

const base = {
  id: 'c1',
  modelId: 'm',
  messages: [],
  usage: emptyUsage(),
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

describe('MemoryConversationStore', () => {
  it('creates at version 1 and bumps the version on every write', async () => {
    const store = new MemoryConversationStore();
    const created = await store.create(base);
    expect(created.version).toBe(1);
    const written = await store.put({
      ...created,
      messages: [{ role: 'user', content: [{ text: 'a' }] }],
    });
    expect(written.version).toBe(2);
    expect((await store.get('c1'))?.messages).toHaveLength(1);
  });

  it('refuses a stale write instead of merging it, and keeps the newer data', async () => {
    const store = new MemoryConversationStore();
    const read = await store.create(base);
    await store.put({ ...read, metadata: { winner: 'first' } });
    const error = await store.put({ ...read, metadata: { winner: 'second' } }).catch((e) => e);
    expect(error).toBeInstanceOf(ConversationConflict);
    expect(error.message).toContain('expected version 1, found 2');
    expect((await store.get('c1'))?.metadata).toStrictEqual({ winner: 'first' });
  });

  it('refuses a duplicate id and a write to a missing id', async () => {
    const store = new MemoryConversationStore();
    await store.create(base);
    await expect(store.create(base)).rejects.toBeInstanceOf(ConversationConflict);
    await expect(store.put({ ...base, id: 'nope', version: 1 })).rejects.toBeInstanceOf(
      ConversationNotFound,
    );
  });

  it('hands out read-only records: changing what get returned or what was put never changes the store', async () => {
    const store = new MemoryConversationStore();
    const written = { role: 'user' as const, content: [{ text: 'original' }] };
    const created = await store.create({ ...base, metadata: { tag: 'a' } });
    await store.put({ ...created, messages: [written] });
    written.content[0]!.text = 'changed by the writer';
    const copy = (await store.get('c1'))!;
    // The record's top level is the reader's own; its parts are shared read-only: changing them
    // throws instead of corrupting the stored conversation.
    copy.systemPrompt = 'replaced in the copy only';
    expect(() => {
      copy.metadata!.tag = 'b';
    }).toThrow(TypeError);
    expect(() => {
      copy.usage.inputTokens = 99;
    }).toThrow(TypeError);
    expect(() => copy.messages.push({ role: 'assistant', content: [{ text: 'sneaky' }] })).toThrow(
      TypeError,
    );
    expect(() => {
      (copy.messages[0]!.content![0] as { text: string }).text = 'sneaky';
    }).toThrow(TypeError);
    expect((await store.get('c1'))?.messages).toStrictEqual([
      { role: 'user', content: [{ text: 'original' }] },
    ]);
    expect((await store.get('c1'))?.metadata).toStrictEqual({ tag: 'a' });
    expect((await store.get('c1'))?.systemPrompt).toBeUndefined();
    expect((await store.get('c1'))?.usage.inputTokens).toBe(0);
  });

  it('keeps image bytes intact (byte arrays are copied, not frozen)', async () => {
    const store = new MemoryConversationStore();
    const bytes = new Uint8Array([137, 80, 78, 71]);
    const created = await store.create(base);
    await store.put({
      ...created,
      messages: [{ role: 'user', content: [{ image: { format: 'png', source: { bytes } } }] }],
    });
    bytes[0] = 0;
    const block = (await store.get('c1'))!.messages[0]!.content![0] as {
      image: { source: { bytes: Uint8Array } };
    };
    expect([...block.image.source.bytes]).toStrictEqual([137, 80, 78, 71]);
  });

  it('lists summaries and deletes', async () => {
    const store = new MemoryConversationStore();
    await store.create(base);
    expect(await store.list()).toStrictEqual([
      {
        id: 'c1',
        modelId: 'm',
        messageCount: 0,
        createdAt: base.createdAt,
        updatedAt: base.updatedAt,
        version: 1,
      },
    ]);
    expect(await store.delete('c1')).toBe(true);
    expect(await store.delete('c1')).toBe(false);
  });
});
