import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ConversationConflict,
  ConversationNotFound,
  ValidationException,
} from '@bedrock-converse/runtime';
import { decodeConversation, encodeConversation } from './conversation-codec.js';
import {
  type ConversationRecord,
  type ConversationSummary,
  summarise,
} from './conversation-record.js';
import type { ConversationStore } from './conversation-store.js';
import { internMessages } from './frozen-messages.js';

const idPattern = /^[A-Za-z0-9_-]{1,128}$/;

export interface FileStoreOptions {
  /** The folder that holds one `<id>.json` file per conversation (created owner-only). */
  directory: string;
  /** A lock older than this is taken to be left by a dead process. Default 10 000 ms. */
  staleLockMs?: number;
}

/**
 * Conversations as files: one JSON file per conversation (the export format), readable and
 * writable only by the owner. Every write goes to a temporary file that is renamed over the old
 * one, so a crash at any moment leaves either the previous turn or the new one, never half of
 * one; temporary files a crash left behind are removed when the store opens. Writes carry the
 * version (checked under a per-conversation lock file, across processes too). Ids are checked, so
 * no id can name a path outside the folder.
 */
export class FileConversationStore implements ConversationStore {
  readonly directory: string;
  readonly #staleLockMs: number;
  #ready: Promise<void> | undefined;

  constructor(options: FileStoreOptions) {
    this.directory = options.directory;
    this.#staleLockMs = options.staleLockMs ?? 10_000;
  }

  async get(id: string): Promise<ConversationRecord | undefined> {
    await this.#open();
    const text = await readFile(this.#path(id), 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (text === undefined) return undefined;
    const record = decodeConversation(text, `The file of conversation "${id}"`);
    return { ...record, messages: internMessages(record.messages, []) };
  }

  async create(record: Omit<ConversationRecord, 'version'>): Promise<ConversationRecord> {
    await this.#open();
    const stored = { ...record, version: 1 } as ConversationRecord;
    const path = this.#path(record.id);
    const temp = await this.#writeTemp(stored);
    try {
      // link() refuses to replace an existing file: creation never overwrites.
      await link(temp, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        const current = await this.get(record.id);
        throw new ConversationConflict(record.id, 0, current?.version);
      }
      throw error;
    } finally {
      await unlink(temp).catch(() => {});
    }
    return stored;
  }

  async put(record: ConversationRecord): Promise<ConversationRecord> {
    await this.#open();
    return this.#locked(record.id, async () => {
      const current = await this.get(record.id);
      if (!current) throw new ConversationNotFound(record.id);
      if (current.version !== record.version) {
        throw new ConversationConflict(record.id, record.version, current.version);
      }
      const stored = { ...record, version: record.version + 1 };
      const temp = await this.#writeTemp(stored);
      await rename(temp, this.#path(record.id));
      return stored;
    });
  }

  async delete(id: string): Promise<boolean> {
    await this.#open();
    return unlink(this.#path(id)).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return false;
        throw error;
      },
    );
  }

  async list(): Promise<ConversationSummary[]> {
    await this.#open();
    const names = (await readdir(this.directory)).filter((name) => name.endsWith('.json'));
    const records = await Promise.all(names.map((name) => this.get(name.slice(0, -5))));
    return records.flatMap((record) => (record ? [summarise(record)] : []));
  }

  /** Creates the folder (owner-only) and removes what an interrupted write left behind. */
  #open() {
    this.#ready ??= (async () => {
      await mkdir(this.directory, { recursive: true, mode: 0o700 });
      for (const name of await readdir(this.directory)) {
        if (name.endsWith('.tmp')) await rm(join(this.directory, name), { force: true });
      }
    })();
    return this.#ready;
  }

  #path(id: string) {
    if (typeof id !== 'string' || !idPattern.test(id)) {
      throw new ValidationException(
        `Conversation id ${JSON.stringify(id)} cannot name a file: use 1 to 128 letters, digits, "_" or "-".`,
      );
    }
    return join(this.directory, `${id}.json`);
  }

  /** Writes the record to a fresh temporary file (owner-only, flushed to disk) and returns its path. */
  async #writeTemp(record: ConversationRecord) {
    const temp = join(this.directory, `.${record.id}.${randomUUID()}.tmp`);
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(encodeConversation(record), 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    return temp;
  }

  /** Runs `work` holding the conversation's lock file (O_EXCL), across processes. */
  async #locked<T>(id: string, work: () => Promise<T>): Promise<T> {
    const lock = join(this.directory, `.${id}.lock`);
    for (let attempt = 0; ; attempt++) {
      try {
        const handle = await open(lock, 'wx', 0o600);
        await handle.close();
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const age = await stat(lock).then(
          (s) => Date.now() - s.mtimeMs,
          () => 0,
        );
        if (age > this.#staleLockMs) await rm(lock, { force: true });
        else await new Promise((r) => setTimeout(r, Math.min(50, 2 + attempt)));
      }
    }
    try {
      return await work();
    } finally {
      await rm(lock, { force: true });
    }
  }
}
