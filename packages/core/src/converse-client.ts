import { randomUUID } from 'node:crypto';
import type {
  ContentBlock,
  ConversationRole,
  InferenceConfiguration,
  Message,
  StopReason,
  TokenUsage,
  ToolConfiguration,
} from '@aws-sdk/client-bedrock-runtime';
import {
  AbortError,
  bedrockRuntime,
  ConversationNotFound,
  type ModelRuntime,
  type RetryOptions,
  replyMessage,
  ValidationException,
} from '@bedrock-converse/runtime';
import {
  type ConversationRecord,
  type ConversationStore,
  type ConversationSummary,
  emptyUsage,
  MemoryConversationStore,
  type UsageTotals,
} from '@bedrock-converse/store';
import { type Actor, createActor, type InspectionEvent, type Observer } from 'xstate';
import { callModelWith } from './effects/call-model.js';
import { commitTurnWith } from './effects/commit-turn.js';
import { prepareTurnWith } from './effects/prepare-turn.js';
import { streamModelWith } from './effects/stream-model.js';
import { type ConversationEmitted, conversationMachine } from './machines/conversation-machine.js';
import type { ConversationTask, ModelReply } from './machines/conversation-types.js';
import { turnEffects } from './machines/turn-effects.js';
import { ModelRegistry } from './registry/model-registry.js';
import type { TurnStreamEvent } from './streaming/stream-events.js';
import { TurnStream } from './streaming/turn-stream.js';
import { type MessageInput, toContentBlocks, toRole } from './turns/message-content.js';

export interface ConverseClientOptions {
  /** Bedrock model id, inference-profile id or ARN; e.g. `us.anthropic.claude-3-5-haiku-20241022-v1:0`. */
  modelId: string;
  /** Who answers. Default: `bedrockRuntime()` (Amazon Bedrock, region and credentials from the environment). */
  runtime?: ModelRuntime;
  /** Where conversations live. Default: in memory. */
  store?: ConversationStore;
  /** Defaults for every request; a conversation's and a send's own settings override them. */
  inferenceConfig?: InferenceConfiguration;
  /** Retry policy for model calls (docs/errors.md). `false` turns retries off. */
  retry?: RetryOptions | false;
  /** Model capabilities and context windows. Default: a registry with the built-in families. */
  registry?: ModelRegistry;
  /** Passed to every conversation actor, e.g. `createBrowserInspector().inspect` or a recorder. */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** The clock for timestamps. */
  now?: () => Date;
  /**
   * Idle conversation actors kept ready for the next turn (least recently used beyond it are
   * stopped; a stopped one is recreated on demand). Default 1000.
   */
  maxIdleActors?: number;
}

export interface CreateConversationOptions {
  systemPrompt?: string;
  inferenceConfig?: InferenceConfiguration;
  metadata?: Record<string, unknown>;
}

export interface SendMessageOptions {
  conversationId: string;
  message: MessageInput;
  /** Overrides for this turn only. */
  inferenceConfig?: InferenceConfiguration;
  /** Tools offered to the model for this turn, in Bedrock's own shape. */
  toolConfig?: ToolConfiguration;
  /**
   * Aborting it cancels the turn: a queued turn never runs, a running one has its request
   * cancelled, and the history stays as it was. The call then rejects (or the stream throws) with
   * an AbortError. A turn already being stored is not undone.
   */
  signal?: AbortSignal;
}

export interface SendResult {
  /** The reply's text blocks, joined. */
  text: string;
  /** The assistant message as stored, in Converse shape. */
  message: Message;
  usage: TokenUsage;
  stopReason: StopReason;
  /** Wall-clock time of the model call, retries included. */
  latencyMs: number;
}

export interface AddMessageOptions {
  conversationId: string;
  role: ConversationRole;
  content: MessageInput;
}

export interface ConversationHistory {
  conversationId: string;
  modelId: string;
  systemPrompt: string | undefined;
  messages: Message[];
  usage: UsageTotals;
  metadata: Record<string, unknown> | undefined;
  createdAt: string;
  updatedAt: string;
}

type ConversationActor = Actor<typeof conversationMachine>;

interface Pending {
  resolve: (value: { record: ConversationRecord; reply: ModelReply | undefined }) => void;
  reject: (error: unknown) => void;
}

/**
 * Multi-turn conversations on the Bedrock Converse API. Each conversation is driven by its own
 * conversation machine: tasks on one conversation run one at a time in call order, different
 * conversations run concurrently, and a turn is stored whole or not at all.
 */
export class ConverseClient {
  readonly modelId: string;
  readonly #store: ConversationStore;
  readonly #logic;
  readonly #inspect: ConverseClientOptions['inspect'];
  readonly #now: () => Date;
  /** Running conversation actors and how many of their tasks have not ended yet. */
  readonly #actors = new Map<
    string,
    { actor: ConversationActor; outstanding: number; started: boolean }
  >();
  /** Conversations whose actors are idle, least recently used first. */
  readonly #idle = new Set<string>();
  readonly #maxIdleActors: number;
  readonly #pending = new Map<string, Pending>();
  /** Where the events of streaming tasks go, by task id. */
  readonly #listeners = new Map<string, (event: TurnStreamEvent) => void>();
  #nextTaskId = 0;

  constructor(options: ConverseClientOptions) {
    if (typeof options?.modelId !== 'string' || options.modelId === '') {
      throw new ValidationException(
        'ConverseClient needs a modelId, e.g. "us.anthropic.claude-3-5-haiku-20241022-v1:0".',
      );
    }
    this.modelId = options.modelId;
    this.#store = options.store ?? new MemoryConversationStore();
    this.#now = options.now ?? (() => new Date());
    this.#inspect = options.inspect;
    this.#maxIdleActors = options.maxIdleActors ?? 1000;
    const runtime = options.runtime ?? bedrockRuntime();
    const prepare = {
      store: this.#store,
      registry: options.registry ?? new ModelRegistry(),
      inferenceConfig: options.inferenceConfig,
    };
    const call = { runtime, retry: options.retry ?? {} };
    const commit = { store: this.#store, now: this.#now };
    this.#logic = conversationMachine.provide({
      actors: {
        effects: turnEffects({
          prepareTurn: (input) => prepareTurnWith(prepare, input),
          callModel: (input, signal) => callModelWith(call, input, signal),
          streamModel: (input, signal) =>
            streamModelWith(call, input, signal, (event) =>
              this.#listeners.get(input.taskId)?.(event),
            ),
          commitTurn: (input) => commitTurnWith(commit, input),
        }),
      },
    });
  }

  /** Starts a conversation and returns its id. */
  async createConversation(options: CreateConversationOptions = {}): Promise<string> {
    if (
      options.systemPrompt !== undefined &&
      (typeof options.systemPrompt !== 'string' || options.systemPrompt.trim() === '')
    ) {
      throw new ValidationException('systemPrompt, when given, must be non-empty text.');
    }
    const now = this.#now().toISOString();
    const id = randomUUID();
    await this.#store.create({
      id,
      modelId: this.modelId,
      systemPrompt: options.systemPrompt,
      inferenceConfig: options.inferenceConfig,
      metadata: options.metadata,
      messages: [],
      usage: emptyUsage(),
      createdAt: now,
      updatedAt: now,
    });
    return id;
  }

  /** Sends a user message and returns the reply's text. */
  async sendMessage(options: SendMessageOptions): Promise<string> {
    return (await this.send(options)).text;
  }

  /**
   * Sends a user message and returns the whole reply. If the history ends with a user message
   * (added with `addMessage`), the new content is merged into that message, as Bedrock requires
   * alternating roles.
   */
  async send(options: SendMessageOptions): Promise<SendResult> {
    const conversationId = checkId(options?.conversationId);
    const { reply } = await this.#run(conversationId, this.#sendTask(options), options.signal);
    return toSendResult(reply!);
  }

  /**
   * Sends a user message and streams the reply's text as it arrives:
   * `for await (const chunk of client.sendMessageStreaming({ conversationId, message })) …`.
   * The chunks join into exactly the text that is stored. The loop ends once the turn is stored;
   * `break` cancels the turn (history unchanged, the request is cancelled) and returns cleanly;
   * aborting `signal` does the same but throws an AbortError. `.result` gives the whole reply.
   */
  sendMessageStreaming(options: SendMessageOptions): TurnStream<string, SendResult> {
    return this.#stream(options, (event) => (event.type === 'textDelta' ? event.text : undefined));
  }

  /**
   * Like `sendMessageStreaming`, with every typed event: text and reasoning deltas, tool-use
   * start / input fragments / the whole call with its parsed input, message stop and, last, the
   * usage and metrics.
   */
  streamEvents(options: SendMessageOptions): TurnStream<TurnStreamEvent, SendResult> {
    return this.#stream(options, (event) => event);
  }

  /** Adds a message to the history without calling the model (roles must still alternate). */
  async addMessage(options: AddMessageOptions): Promise<void> {
    const conversationId = checkId(options?.conversationId);
    const role = toRole(options.role);
    const content = toContentBlocks(options.content, 'content');
    await this.#run(conversationId, { taskId: this.#taskId(), kind: 'append', role, content });
  }

  async getConversationHistory(conversationId: string): Promise<ConversationHistory> {
    const record = await this.#store.get(checkId(conversationId));
    if (!record) throw new ConversationNotFound(conversationId);
    return {
      conversationId: record.id,
      modelId: record.modelId,
      systemPrompt: record.systemPrompt,
      messages: record.messages,
      usage: record.usage,
      metadata: record.metadata,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
    };
  }

  async listConversations(): Promise<ConversationSummary[]> {
    return this.#store.list();
  }

  /** Deletes a conversation; ConversationNotFound if there is none with that id. */
  async deleteConversation(conversationId: string): Promise<void> {
    const deleted = await this.#store.delete(checkId(conversationId));
    const entry = this.#actors.get(conversationId);
    if (entry?.outstanding === 0) this.#dispose(conversationId);
    if (!deleted) throw new ConversationNotFound(conversationId);
  }

  #sendTask(options: SendMessageOptions, stream = false): ConversationTask {
    return {
      taskId: this.#taskId(),
      kind: 'send',
      content: toContentBlocks(options.message),
      inferenceConfig: options.inferenceConfig,
      toolConfig: options.toolConfig,
      stream,
    };
  }

  #stream<T>(
    options: SendMessageOptions,
    pick: (event: TurnStreamEvent) => T | undefined,
  ): TurnStream<T, SendResult> {
    const conversationId = checkId(options?.conversationId);
    const task = this.#sendTask(options, true);
    return new TurnStream<T, SendResult>((deliver) => {
      this.#listeners.set(task.taskId, (event) => {
        const value = pick(event);
        if (value !== undefined) deliver(value);
      });
      const done = this.#run(conversationId, task, options.signal).then(({ reply }) =>
        toSendResult(reply!),
      );
      void done.finally(() => this.#listeners.delete(task.taskId)).catch(() => {});
      return { done, cancel: (reason) => this.#cancel(conversationId, task.taskId, reason) };
    });
  }

  /** Submits a task to the conversation's actor and waits for it to end. */
  #run(conversationId: string, task: ConversationTask, signal?: AbortSignal) {
    return new Promise<{ record: ConversationRecord; reply: ModelReply | undefined }>(
      (resolve, reject) => {
        if (signal?.aborted) {
          reject(abortedBy(signal));
          return;
        }
        const onAbort = () => this.#cancel(conversationId, task.taskId, abortedBy(signal!));
        signal?.addEventListener('abort', onAbort, { once: true });
        const settled = () => signal?.removeEventListener('abort', onAbort);
        this.#pending.set(task.taskId, {
          resolve: (value) => {
            settled();
            resolve(value);
          },
          reject: (error) => {
            settled();
            reject(error);
          },
        });
        const entry = this.#entryFor(conversationId);
        entry.outstanding += 1;
        // Started only once a task is counted, or its first (idle) snapshot would dispose it.
        if (!entry.started) {
          entry.started = true;
          entry.actor.start();
        }
        entry.actor.send({ type: 'task.submit', task });
      },
    );
  }

  #cancel(conversationId: string, taskId: string, reason: Error) {
    this.#actors.get(conversationId)?.actor.send({ type: 'task.cancel', taskId, reason });
  }

  /** The conversation's actor; created on demand, kept while recently used. */
  #entryFor(conversationId: string) {
    const existing = this.#actors.get(conversationId);
    if (existing) return existing;
    const actor = createActor(this.#logic, {
      input: { conversationId },
      ...(this.#inspect ? { inspect: this.#inspect } : {}),
    });
    const entry = { actor, outstanding: 0, started: false };
    const settle = (event: ConversationEmitted) => {
      const pending = this.#pending.get(event.taskId);
      this.#pending.delete(event.taskId);
      entry.outstanding -= 1;
      if (event.type === 'task.done')
        pending?.resolve({ record: event.record, reply: event.reply });
      else pending?.reject(event.error);
    };
    actor.on('task.done', settle);
    actor.on('task.failed', settle);
    actor.subscribe((snapshot) => {
      if (entry.outstanding === 0 && snapshot.value === 'idle') this.#markIdle(conversationId);
    });
    this.#actors.set(conversationId, entry);
    return entry;
  }

  #markIdle(conversationId: string) {
    this.#idle.delete(conversationId);
    this.#idle.add(conversationId);
    while (this.#idle.size > this.#maxIdleActors) {
      const oldest = this.#idle.values().next().value as string;
      this.#dispose(oldest);
    }
  }

  #dispose(conversationId: string) {
    this.#idle.delete(conversationId);
    const entry = this.#actors.get(conversationId);
    this.#actors.delete(conversationId);
    entry?.actor.stop();
  }

  #taskId(): string {
    this.#nextTaskId += 1;
    return String(this.#nextTaskId);
  }
}

function abortedBy(signal: AbortSignal): AbortError {
  return new AbortError(`The turn was aborted: ${String(signal.reason)}`, { cause: signal.reason });
}

function checkId(conversationId: unknown): string {
  if (typeof conversationId !== 'string' || conversationId === '') {
    throw new ValidationException(
      `conversationId must be a non-empty string, got ${String(conversationId)}.`,
    );
  }
  return conversationId;
}

function toSendResult(reply: ModelReply): SendResult {
  const { result, latencyMs } = reply;
  const message = replyMessage(result) ?? { role: 'assistant' as const, content: [] };
  const text = (message.content ?? [])
    .filter(
      (block): block is ContentBlock.TextMember =>
        'text' in block && typeof block.text === 'string',
    )
    .map((block) => block.text)
    .join('');
  return {
    text,
    message,
    usage: result.usage ?? { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
    stopReason: result.stopReason ?? 'end_turn',
    latencyMs,
  };
}

/**
 * The seed's name for a client that streams: the same ConverseClient, whose
 * `sendMessageStreaming` and `streamEvents` stream every turn.
 */
export class StreamingConverseClient extends ConverseClient {}
