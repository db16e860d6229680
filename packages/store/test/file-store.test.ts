// The file store on real files: atomic writes that survive SIGKILL at any moment, owner-only
// permissions, ids that cannot escape the folder, versioned writes.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConversationConflict, ValidationException } from '@bedrock-converse/runtime';
import { describe, expect, it } from 'vitest';
import { decodeConversation } from '../src/conversation-codec.js';
import { emptyUsage } from '../src/conversation-record.js';
import { exportConversation, importConversation } from '../src/export-conversation.js';
import { FileConversationStore } from '../src/file-store.js';

const folder = () => mkdtemp(join(tmpdir(), 'bedrock-converse-store-'));
const base = (id: string) => ({
  id,
  modelId: 'local.test',
  messages: [],
  usage: emptyUsage(),
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

describe('FileConversationStore', () => {
  it('keeps conversations across instances (a restart), owner-only, versioned', async () => {
    const directory = await folder();
    const store = new FileConversationStore({ directory });
    const created = await store.create(base('c1'));
    await store.put({ ...created, messages: [{ role: 'user', content: [{ text: 'hi' }] }] });
    await expect(store.put(created)).rejects.toBeInstanceOf(ConversationConflict);
    await expect(store.create(base('c1'))).rejects.toBeInstanceOf(ConversationConflict);

    const restarted = new FileConversationStore({ directory });
    const read = await restarted.get('c1');
    expect(read?.version).toBe(2);
    expect(read?.messages).toStrictEqual([{ role: 'user', content: [{ text: 'hi' }] }]);
    expect((await restarted.list()).map((s) => s.id)).toStrictEqual(['c1']);
    expect((await stat(join(directory, 'c1.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(directory)).mode & 0o777).toBe(0o700);
    expect(await restarted.delete('c1')).toBe(true);
    expect(await restarted.get('c1')).toBeUndefined();
  });

  it.each(['../escape', 'a/b', '', '.hidden', 'x'.repeat(129)])('refuses the id %j', async (id) => {
    const store = new FileConversationStore({ directory: await folder() });
    await expect(store.get(id)).rejects.toBeInstanceOf(ValidationException);
  });

  it('export → import round-trips a conversation; a corrupted file is a typed error', async () => {
    const directory = await folder();
    const store = new FileConversationStore({ directory });
    const created = await store.create(base('c1'));
    await store.put({
      ...created,
      messages: [
        {
          role: 'user',
          content: [
            { image: { format: 'png', source: { bytes: Uint8Array.of(137, 80, 78, 71) } } },
          ],
        },
      ],
    });
    const exported = await exportConversation(store, 'c1');
    const copy = await importConversation(store, exported, { id: 'c2' });
    expect(copy.messages).toStrictEqual((await store.get('c1'))!.messages);
    await writeFile(
      join(directory, 'c3.json'),
      '{"format":"bedrock-converse.conversation","version":1,"conv',
    );
    await expect(store.get('c3')).rejects.toThrow(
      /The file of conversation "c3" is not valid JSON/,
    );
  });

  it('survives SIGKILL at a random moment: every file left is a whole turn', async () => {
    const directory = await folder();
    const writer = fileURLToPath(new URL('./fixtures/write-turns.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', writer, directory],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    // Kill it once it has written some turns, at a moment of its own choosing.
    await new Promise<void>((resolve) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('turn 20')) resolve();
      });
    });
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 40)));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));

    // Restart: the store cleans up after the crash; every file left reads as whole turns.
    const store = new FileConversationStore({ directory });
    const conversations = await store.list();
    expect(conversations.length).toBe(1);
    const files = (await readdir(directory)).filter((f) => !f.startsWith('.lock'));
    expect(files.filter((f) => f.endsWith('.tmp'))).toStrictEqual([]);
    for (const file of files.filter((f) => f.endsWith('.json'))) {
      const record = decodeConversation(await readFile(join(directory, file), 'utf8'));
      expect(record.messages.length % 2).toBe(0);
      expect(record.messages.length).toBeGreaterThanOrEqual(40);
      for (const [i, m] of record.messages.entries()) {
        expect(m.role).toBe(i % 2 === 0 ? 'user' : 'assistant');
      }
    }
  }, 60_000);
});
