import { randomUUID } from 'node:crypto';
import type {
  ContentBlock,
  ConversationRole,
  DocumentFormat,
  ImageFormat,
  InferenceConfiguration,
  Message,
  StopReason,
  TokenUsage,
  ToolConfiguration,
} from '@aws-sdk/client-bedrock-runtime';
import type {
  QuotaGrant,
  QuotaPriority,
  QuotaScheduler,
  QuotaStats,
} from '@bedrock-converse/limits';
import {
  estimateRequestTokens,
  type MemoryStrategy,
  summarizing,
  tokenBudget,
} from '@bedrock-converse/memory';
import {
  AbortError,
  bedrockRuntime,
  ConversationNotFound,
  type ConverseInput,
  cachedRuntime,
  type ModelRuntime,
  type ResponseCache,
  type RetryOptions,
  replyMessage,
  ValidationException,
} from '@bedrock-converse/runtime';
import {
  type ConversationRecord,
  type ConversationStore,
  type ConversationSummary,
  emptyUsage,
  exportConversation,
  importConversation,
  MemoryConversationStore,
  type UsageTotals,
} from '@bedrock-converse/store';
import {
  type AnyTool,
  type FunctionDefinition,
  runToolCalls,
  type ToolCall,
  type ToolChoiceOption,
  type ToolFunction,
  Toolset,
  toolsFromFunctions,
} from '@bedrock-converse/tools';
import { type Actor, createActor, fromPromise, type InspectionEvent, type Observer } from 'xstate';
import { callModelWith } from './effects/call-model.js';
import { commitTurnWith } from './effects/commit-turn.js';
import { prepareTurnWith } from './effects/prepare-turn.js';
import type { QuotaGate } from './effects/quota-gate.js';
import { streamModelWith } from './effects/stream-model.js';
import { type ConversationEmitted, conversationMachine } from './machines/conversation-machine.js';
import type { ConversationTask, ModelReply } from './machines/conversation-types.js';
import {
  type ModelStepInput,
  type ToolStepInput,
  toolLoopMachine,
} from './machines/tool-loop-machine.js';
import { turnEffects } from './machines/turn-effects.js';
import { type MemoryStats, memoryStatsOf } from './memory/memory-stats.js';
import { summarizeWithModel } from './memory/summarize-with-model.js';
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
  /** Typed tools (`defineTool`) offered to the model on every send; their calls run in the turn. */
  tools?: AnyTool[];
  /** The seed's plain tool definitions; a definition is offered when `functionMap` has its function. */
  functions?: FunctionDefinition[];
  /** Functions for `functions`, by name (a send can pass its own). */
  functionMap?: Record<string, ToolFunction>;
  /** Default `toolChoice` for turns with tools: `"auto"` (Bedrock's default), `"any"`, `{ tool }`. */
  toolChoice?: ToolChoiceOption;
  /** At most this many model calls in one tool-using turn. Default 10. */
  maxSteps?: number;
  /** Timeout of one tool call, unless the tool sets its own. Default 30 000 ms. */
  toolTimeoutMs?: number;
  /**
   * What the model sees of a long conversation: a strategy from `@bedrock-converse/memory`
   * (`tokenBudget`, `slidingWindow`, `summarizing`, `compose`), or a name with `maxHistoryTokens`.
   * The store always keeps the whole history. Default: the whole history is sent.
   */
  strategy?: MemoryStrategy | 'tokenBudget' | 'summarizing' | undefined;
  /** The seed's history budget in tokens: a `tokenBudget` strategy unless `strategy` says otherwise. */
  maxHistoryTokens?: number | undefined;
  /**
   * Count each request exactly with the model's CountTokens operation before sending it (where the
   * runtime and model support it; otherwise estimates are used), so the budget holds from the
   * first turn. Costs one extra call per turn. Default false.
   */
  countTokens?: boolean | undefined;
  /**
   * The quota scheduler that paces model calls (requests and tokens per minute), from
   * `await QuotaScheduler.create({ rpm, tpm, redis? })` in `@bedrock-converse/limits`. Several
   * clients, and with Redis several processes, can share one. Each turn then waits for quota in
   * the machine's `waitingForQuota` state.
   */
  quota?: QuotaScheduler | undefined;
  /** Quota priority of this client's turns. Default "interactive". */
  priority?: QuotaPriority | undefined;
  /**
   * Bedrock prompt caching: checkpoints after the system prompt, the tools and the stable history
   * prefix, for models whose registry entry supports it. Usage then reports cache read and write
   * tokens. Default false.
   */
  promptCaching?: boolean | undefined;
  /**
   * An opt-in response cache (`new MemoryResponseCache(...)` or a Redis one): an identical request
   * is answered from it without calling the model. Errors and tool-use answers are never cached.
   */
  cache?: ResponseCache | undefined;
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
  /** Pin this message: memory strategies never prune it from what the model sees. */
  pinned?: boolean;
  /** Quota priority of this turn (with a quota scheduler). */
  priority?: QuotaPriority;
  /**
   * Tools for this turn instead of the client's (`false`: none). With tools the turn is a tool
   * loop: every call the model asks for runs, its result goes back, until the model answers.
   */
  tools?: AnyTool[] | false;
  /** Functions for the client's `functions`, for this turn. */
  functionMap?: Record<string, ToolFunction>;
  toolChoice?: ToolChoiceOption;
  maxSteps?: number;
  /**
   * A raw Bedrock toolConfig, for callers that run tools themselves: the turn ends at the model's
   * tool call, and you answer with `addMessage` (toolResult blocks). Not with `tools`.
   */
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
  /** Wall-clock time of the model call(s), retries included. */
  latencyMs: number;
  /** The tool calls the turn ran, in the order the model asked for them. */
  toolCalls: ToolCall[];
  /** Model calls the turn made (more than 1 when tools ran). */
  steps: number;
}

/** `sendMessageWithFunctions`'s answer: the seed's `response` and `functionCalls`. */
export interface FunctionCallingResult extends SendResult {
  /** The final reply's text. */
  response: string;
  /** Every tool call of the turn: name, input, output or error, duration. */
  functionCalls: ToolCall[];
}

export interface AddMessageOptions {
  conversationId: string;
  role: ConversationRole;
  content: MessageInput;
  /** Pin it ("important context"): memory strategies never prune it from what the model sees. */
  pinned?: boolean;
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
  /**
   * What the last model request sent of `messages` (the store keeps them all; the model sees what
   * the memory strategy kept): their indices, the summary sent ahead of them, and the tokens.
   */
  lastRequest: LastRequestView | undefined;
  /** Indices of pinned messages. */
  pinned: number[];
}

export interface LastRequestView {
  /** Indices in `messages` of the messages sent, ascending. */
  messageIndices: number[];
  /** The summary of the pruned messages sent ahead of them, if any. */
  summary: string | undefined;
  estimatedTokens: number | undefined;
  /** Input tokens the model reported for the request (single-call turns). */
  inputTokens: number | undefined;
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
  /** The tools of running tool turns, by task id. */
  readonly #taskTools = new Map<string, Toolset>();
  readonly #tools: ConverseClientOptions['tools'];
  readonly #functions: FunctionDefinition[];
  readonly #functionMap: Record<string, ToolFunction>;
  /** The client's own tools, built once: the toolset of every send that brings none of its own. */
  readonly #defaultTools: Toolset | undefined;
  readonly #toolChoice: ToolChoiceOption | undefined;
  readonly #maxSteps: number;
  readonly #strategy: MemoryStrategy | undefined;
  readonly #quota: QuotaScheduler | undefined;
  readonly #priority: QuotaPriority;
  /** Quota grants reserved in `waitingForQuota`, held for the task's model call. */
  readonly #grants = new Map<string, QuotaGrant>();
  readonly #taskPriority = new Map<string, QuotaPriority>();
  readonly #registry: ModelRegistry;
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
    this.#tools = options.tools;
    this.#functions = options.functions ?? [];
    this.#functionMap = options.functionMap ?? {};
    this.#toolChoice = options.toolChoice;
    this.#maxSteps = checkMaxSteps(options.maxSteps ?? 10);
    // Fails at construction for tools that clash or a functionMap that names unknown functions.
    this.#defaultTools = this.#buildToolset({});
    const base = options.runtime ?? bedrockRuntime();
    const runtime = options.cache ? cachedRuntime(base, options.cache) : base;
    this.#registry = options.registry ?? new ModelRegistry();
    this.#strategy = memoryStrategyOf(options);
    this.#quota = options.quota;
    this.#priority = options.priority ?? 'interactive';
    const prepare = {
      store: this.#store,
      registry: this.#registry,
      inferenceConfig: options.inferenceConfig,
      promptCaching: options.promptCaching,
      memory: this.#strategy && {
        strategy: this.#strategy,
        summarize: summarizeWithModel({
          runtime,
          modelInfo: () => this.#registry.resolve(this.modelId),
          retry: options.retry ?? {},
        }),
        countTokens: options.countTokens ? exactCounter(runtime) : undefined,
      },
    };
    const call = { runtime, retry: options.retry ?? {} };
    const commit = { store: this.#store, now: this.#now };
    this.#logic = conversationMachine.provide({
      actors: {
        effects: turnEffects({
          prepareTurn: (input) => prepareTurnWith(prepare, input),
          callModel: (input, signal) =>
            callModelWith(call, input, signal, this.#gate(input.taskId)),
          streamModel: (input, signal) =>
            streamModelWith(
              call,
              input,
              signal,
              (event) => this.#listeners.get(input.taskId)?.(event),
              this.#gate(input.taskId),
            ),
          reserveQuota: async ({ taskId, request }, signal) => {
            const gate = this.#gate(taskId);
            if (gate) this.#grants.set(taskId, await gate.reserve(request, signal));
          },
          commitTurn: (input) => commitTurnWith(commit, input),
        }),
        toolLoop: toolLoopMachine.provide({
          actors: {
            callModel: fromPromise<ModelReply, ModelStepInput>(({ input, signal }) =>
              input.stream
                ? streamModelWith(
                    call,
                    input,
                    signal,
                    (event) => this.#listeners.get(input.taskId)?.(event),
                    this.#gate(input.taskId),
                  )
                : callModelWith(call, input, signal, this.#gate(input.taskId)),
            ),
            runTools: fromPromise<ToolCall[], ToolStepInput>(async ({ input, signal }) => {
              const calls = await runToolCalls(
                this.#taskTools.get(input.taskId) ?? new Toolset([]),
                input.toolUses,
                { signal, timeoutMs: options.toolTimeoutMs },
              );
              const listener = this.#listeners.get(input.taskId);
              for (const call of calls) listener?.(toolResultEvent(call));
              return calls;
            }),
          },
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
    const { task, tools } = this.#sendTask(options);
    const { reply } = await this.#run(conversationId, task, options.signal, { tools });
    return toSendResult(reply!);
  }

  /**
   * Sends a user message with tools and runs every tool call the model makes until it answers
   * (the seed's function calling). Tools: the client's `tools`, and its `functions` whose function
   * is in `functionMap` (this call's, else the client's). The whole exchange, toolUse and
   * toolResult messages included, is stored as one turn, or nothing is when it fails.
   */
  async sendMessageWithFunctions(options: SendMessageOptions): Promise<FunctionCallingResult> {
    const result = await this.send(options);
    return { ...result, response: result.text, functionCalls: result.toolCalls };
  }

  /**
   * Sends an image with a message (the seed's multimodal call) and returns the reply's text. The
   * image is checked before any request: its bytes must be the declared format, at most 3.75 MB
   * and 8000 px per side, and the model must take images (ValidationException otherwise).
   */
  async sendMessageWithImage(
    options: Omit<SendMessageOptions, 'message'> & {
      message: string;
      imageBytes: Uint8Array;
      imageFormat: ImageFormat;
    },
  ): Promise<string> {
    const { message, imageBytes, imageFormat, ...rest } = options;
    return this.sendMessage({
      ...rest,
      message: [
        { image: { format: imageFormat, source: { bytes: imageBytes } } },
        { text: message },
      ],
    });
  }

  /**
   * Sends a document with a message and returns the reply's text. Checked before any request:
   * the name (letters, digits, single spaces, "-", "()", "[]"), the format, at most 4.5 MB.
   */
  async sendMessageWithDocument(
    options: Omit<SendMessageOptions, 'message'> & {
      message: string;
      documentBytes: Uint8Array;
      documentFormat: DocumentFormat;
      documentName: string;
    },
  ): Promise<string> {
    const { message, documentBytes, documentFormat, documentName, ...rest } = options;
    return this.sendMessage({
      ...rest,
      message: [
        {
          document: {
            name: documentName,
            format: documentFormat,
            source: { bytes: documentBytes },
          },
        },
        { text: message },
      ],
    });
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
    await this.#run(conversationId, {
      taskId: this.#taskId(),
      kind: 'append',
      role,
      content,
      pinned: options.pinned === true,
    });
  }

  /**
   * What the model sees of the conversation: tokens of the history last sent and what is left of
   * the budget, messages stored, sent and pruned, the summary's size, and how far the token
   * estimate was from the model's own count. (The seed's `current_tokens` and `available_tokens`.)
   */
  async getMemoryStats(conversationId: string): Promise<MemoryStats> {
    const record = await this.#store.get(checkId(conversationId));
    if (!record) throw new ConversationNotFound(conversationId);
    return memoryStatsOf(
      record,
      this.#strategy,
      this.#registry.resolve(record.modelId).contextWindow,
    );
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
      lastRequest: lastRequestView(record),
      pinned: [...(record.memory?.pinned ?? [])],
    };
  }

  /**
   * The conversation as versioned JSON (images and documents as base64): the seed's save. Load it
   * again with `importConversation`, here or in another process.
   */
  async exportConversation(conversationId: string): Promise<string> {
    return exportConversation(this.#store, checkId(conversationId));
  }

  /**
   * Loads an exported conversation (checked, and repaired if a crash left it invalid) and returns
   * its id; `conversationId` gives it a new one. ConversationFormatError for a damaged file or a
   * version this library cannot read; ConversationConflict if the id is taken.
   */
  async importConversation(
    text: string,
    options: { conversationId?: string } = {},
  ): Promise<string> {
    const record = await importConversation(this.#store, text, {
      ...(options.conversationId ? { id: checkId(options.conversationId) } : {}),
    });
    return record.id;
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

  #sendTask(options: SendMessageOptions, stream = false) {
    const tools = this.#toolsetFor(options);
    if (tools && options.toolConfig) {
      throw new ValidationException(
        'Pass tools (tools, functions with functionMap) or a raw toolConfig, not both: with tools the client runs the calls, with toolConfig you do.',
      );
    }
    const task: ConversationTask = {
      taskId: this.#taskId(),
      kind: 'send',
      content: toContentBlocks(options.message),
      inferenceConfig: options.inferenceConfig,
      toolConfig: tools
        ? tools.toolConfig(options.toolChoice ?? this.#toolChoice)
        : options.toolConfig,
      stream,
      toolLoop: tools ? { maxSteps: checkMaxSteps(options.maxSteps ?? this.#maxSteps) } : undefined,
      pinned: options.pinned === true,
      quota: this.#quota ? { priority: options.priority ?? this.#priority } : undefined,
    };
    return { task, tools };
  }

  /** The tools of a send, or undefined for a turn without them. */
  #toolsetFor(options: Pick<SendMessageOptions, 'tools' | 'functionMap'>): Toolset | undefined {
    if (options.tools === undefined && options.functionMap === undefined) return this.#defaultTools;
    return this.#buildToolset(options);
  }

  #buildToolset(options: Pick<SendMessageOptions, 'tools' | 'functionMap'>): Toolset | undefined {
    if (options.tools === false) return undefined;
    const tools = [
      ...(options.tools ?? this.#tools ?? []),
      ...toolsFromFunctions(this.#functions, options.functionMap ?? this.#functionMap),
    ];
    return tools.length > 0 ? new Toolset(tools) : undefined;
  }

  #stream<T>(
    options: SendMessageOptions,
    pick: (event: TurnStreamEvent) => T | undefined,
  ): TurnStream<T, SendResult> {
    const conversationId = checkId(options?.conversationId);
    const { task, tools } = this.#sendTask(options, true);
    return new TurnStream<T, SendResult>((deliver) => {
      const listener = (event: TurnStreamEvent) => {
        const value = pick(event);
        if (value !== undefined) deliver(value);
      };
      const done = this.#run(conversationId, task, options.signal, { tools, listener }).then(
        ({ reply }) => toSendResult(reply!),
      );
      return { done, cancel: (reason) => this.#cancel(conversationId, task.taskId, reason) };
    });
  }

  /**
   * Submits a task to the conversation's actor and waits for it to end. The task's tools and
   * stream listener are held here, by task id, while it runs.
   */
  #run(
    conversationId: string,
    task: ConversationTask,
    signal?: AbortSignal,
    held: { tools?: Toolset | undefined; listener?: (event: TurnStreamEvent) => void } = {},
  ) {
    return new Promise<{ record: ConversationRecord; reply: ModelReply | undefined }>(
      (resolve, reject) => {
        if (signal?.aborted) {
          reject(abortedBy(signal));
          return;
        }
        const { taskId } = task;
        if (held.tools) this.#taskTools.set(taskId, held.tools);
        if (task.kind === 'send' && task.quota?.priority !== undefined) {
          this.#taskPriority.set(taskId, task.quota.priority);
        }
        if (held.listener) this.#listeners.set(taskId, held.listener);
        const onAbort = () => this.#cancel(conversationId, taskId, abortedBy(signal!));
        signal?.addEventListener('abort', onAbort, { once: true });
        const settled = () => {
          signal?.removeEventListener('abort', onAbort);
          this.#taskTools.delete(taskId);
          this.#listeners.delete(taskId);
          // A grant the task never used (cancelled right after it was granted) goes back.
          this.#grants.get(taskId)?.settle({ failed: true });
          this.#grants.delete(taskId);
          this.#taskPriority.delete(taskId);
        };
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

  /** The quota gate of a task's model calls; undefined without a quota scheduler. */
  #gate(taskId: string | undefined): QuotaGate | undefined {
    const quota = this.#quota;
    if (!quota) return undefined;
    const task = taskId === undefined ? undefined : this.#taskPriority.get(taskId);
    return {
      take: () => {
        if (taskId === undefined) return undefined;
        const grant = this.#grants.get(taskId);
        this.#grants.delete(taskId);
        return grant;
      },
      reserve: (request, signal) =>
        quota.reserve({
          inputTokens: estimateRequestTokens(request),
          maxTokens: request.inferenceConfig?.maxTokens,
          priority: task ?? this.#priority,
          signal,
        }),
    };
  }

  /** Quota statistics of the client's scheduler (undefined without one). */
  async getQuotaStats(): Promise<QuotaStats | undefined> {
    return this.#quota?.stats();
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

/**
 * The model's count of a request, or undefined where it cannot count: a runtime without
 * CountTokens, or a model the service refuses it for (remembered, so it is asked once).
 */
function exactCounter(runtime: ModelRuntime) {
  const unsupported = new Set<string>();
  return async (request: ConverseInput): Promise<number | undefined> => {
    if (!runtime.countTokens || unsupported.has(request.modelId!)) return undefined;
    try {
      return await runtime.countTokens({
        modelId: request.modelId,
        input: {
          converse: {
            messages: request.messages,
            ...(request.system ? { system: request.system } : {}),
            ...(request.toolConfig ? { toolConfig: request.toolConfig } : {}),
          },
        },
      });
    } catch (error) {
      const name = (error as Error).name;
      if (
        name === 'ValidationException' ||
        name === 'ResourceNotFoundException' ||
        name === 'AccessDeniedException'
      ) {
        unsupported.add(request.modelId!);
        return undefined;
      }
      throw error;
    }
  };
}

function memoryStrategyOf(options: ConverseClientOptions): MemoryStrategy | undefined {
  const { strategy, maxHistoryTokens } = options;
  if (strategy !== undefined && typeof strategy === 'object') return strategy;
  if (maxHistoryTokens === undefined) {
    if (strategy !== undefined) {
      throw new ValidationException(`strategy "${strategy}" needs maxHistoryTokens.`);
    }
    return undefined;
  }
  if (strategy === 'summarizing') return summarizing({ maxTokens: maxHistoryTokens });
  if (strategy === undefined || strategy === 'tokenBudget') {
    return tokenBudget({ maxTokens: maxHistoryTokens });
  }
  throw new ValidationException(
    `strategy must be a MemoryStrategy, "tokenBudget" or "summarizing", got ${JSON.stringify(strategy)}.`,
  );
}

function lastRequestView(record: ConversationRecord): LastRequestView | undefined {
  const last = record.memory?.lastRequest;
  if (!last) return undefined;
  const messageIndices: number[] = [];
  for (const [start, end] of last.ranges) for (let i = start; i < end; i++) messageIndices.push(i);
  const summarised = record.memory?.summary;
  return {
    messageIndices,
    summary:
      summarised && messageIndices.length > 0 && messageIndices[0]! >= summarised.covers
        ? summarised.text
        : undefined,
    estimatedTokens: last.estimatedTokens,
    inputTokens: last.inputTokens,
  };
}

function checkMaxSteps(maxSteps: unknown): number {
  if (typeof maxSteps !== 'number' || !Number.isInteger(maxSteps) || maxSteps < 1) {
    throw new ValidationException(
      `maxSteps must be a whole number of at least 1, got ${String(maxSteps)}.`,
    );
  }
  return maxSteps;
}

function toolResultEvent(call: ToolCall): TurnStreamEvent {
  return {
    type: 'toolResult',
    toolUseId: call.toolUseId,
    name: call.name,
    status: call.error === undefined ? 'success' : 'error',
    ...(call.error === undefined ? { output: call.output } : { error: call.error }),
    durationMs: call.durationMs,
  };
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
    toolCalls: reply.toolCalls ?? [],
    steps: reply.steps ?? 1,
  };
}

/**
 * The seed's name for a client that streams: the same ConverseClient, whose
 * `sendMessageStreaming` and `streamEvents` stream every turn.
 */
export class StreamingConverseClient extends ConverseClient {}

/**
 * The seed's name for a client with tools: the same ConverseClient, given `tools` (typed) or
 * `functions` (plain definitions) at construction; `sendMessageWithFunctions` runs the tool loop.
 */
export class FunctionCallingConverseClient extends ConverseClient {}

/**
 * The seed's name for a multimodal client: the same ConverseClient, whose `sendMessageWithImage`
 * and `sendMessageWithDocument` send media (checked before any request).
 */
export class MultimodalConverseClient extends ConverseClient {}

/**
 * The seed's name for a client that manages memory: the same ConverseClient, given
 * `maxHistoryTokens` (a token budget for what the model sees) and optionally a `strategy`.
 * `getMemoryStats` reports what it sends.
 */
export class MemoryAwareConverseClient extends ConverseClient {
  constructor(options: ConverseClientOptions & { maxHistoryTokens: number }) {
    if (typeof options?.maxHistoryTokens !== 'number') {
      throw new ValidationException('MemoryAwareConverseClient needs maxHistoryTokens, e.g. 4000.');
    }
    super(options);
  }
}
