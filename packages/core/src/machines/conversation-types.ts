import type {
  ContentBlock,
  ConversationRole,
  InferenceConfiguration,
  Message,
  ToolConfiguration,
} from '@aws-sdk/client-bedrock-runtime';
import type { QuotaPriority } from '@bedrock-converse/limits';
import type { HistorySummary } from '@bedrock-converse/memory';
import type { ConverseInput, ConverseResult } from '@bedrock-converse/runtime';
import type { ConversationRecord } from '@bedrock-converse/store';
import type { ToolCall } from '@bedrock-converse/tools';
import type { RequestParts } from '../turns/build-request.js';

/** One unit of work on a conversation, run strictly after the ones queued before it. */
export type ConversationTask = SendTask | AppendTask;

/** A user turn: the message goes to the model and the turn is committed with its reply. */
export interface SendTask {
  taskId: string;
  kind: 'send';
  content: ContentBlock[];
  inferenceConfig?: InferenceConfiguration | undefined;
  /** Tools offered to the model for this turn, as Bedrock takes them. */
  toolConfig?: ToolConfiguration | undefined;
  /** Stream the answer: its events go to the task's listener as they arrive. */
  stream?: boolean | undefined;
  /**
   * Run the tool loop: tool calls are answered by the task's tools (held by the client, by task
   * id) until the model answers without tools or `maxSteps` model calls were made.
   */
  toolLoop?: { maxSteps: number } | undefined;
  /** Pin the user message: it is never pruned from what the model sees. */
  pinned?: boolean | undefined;
  /** Wait for quota (the client's QuotaScheduler) before the model call, at this priority. */
  quota?: { priority?: QuotaPriority | undefined } | undefined;
}

/** A message added to the history without calling the model. */
export interface AppendTask {
  taskId: string;
  kind: 'append';
  role: ConversationRole;
  content: ContentBlock[];
  pinned?: boolean | undefined;
}

/** The result of preparing a task: nothing of it is stored yet. */
export interface PreparedTurn {
  /** The conversation as read; its `version` guards the commit. */
  record: ConversationRecord;
  /** The history with the task's message appended. */
  messages: Message[];
  /** The request for the model (send tasks only). */
  request?: ConverseInput | undefined;
  /**
   * A streaming turn the model cannot stream (tools with a model that cannot use them while
   * streaming): it is answered by one Converse call and delivered as stream events.
   */
  streamFallback?: boolean | undefined;
  /** What the request was built from: rebuilt from it when overflow recovery shrinks the history. */
  requestParts?: RequestParts | undefined;
  /** For each message of `requestParts.messages`, its index in `messages` (absent: all, in order). */
  sentIndices?: number[] | undefined;
  /** The memory bookkeeping this turn writes (pins, summary, estimates). */
  memoryPlan?: MemoryPlan | undefined;
}

/** What memory management decided while preparing a turn. */
export interface MemoryPlan {
  pinned: number[];
  summary?: (HistorySummary & { tokens: number }) | undefined;
  /** Calibrated estimate of the messages sent. */
  estimatedTokens?: number | undefined;
  /** Raw (uncalibrated) estimate of the whole request, for calibration after the turn. */
  rawInputEstimate?: number | undefined;
  /** The calibration the estimates were made with. */
  calibration?: number | undefined;
  /** The model's own count of the request (CountTokens), when the client asked for it. */
  countedInputTokens?: number | undefined;
}

export interface ModelReply {
  /** The (last) model answer; for a tool turn its usage is the sum over every model call. */
  result: ConverseResult;
  /** Wall-clock time of the model call(s), retries included. */
  latencyMs: number;
  /**
   * The messages the turn adds after the user's message, oldest first. Absent for a plain turn
   * (just the answer); a tool turn adds each toolUse message and the toolResult message after it.
   */
  messages?: Message[] | undefined;
  /** The tool calls of a tool turn, in the order they were requested. */
  toolCalls?: ToolCall[] | undefined;
  /** Model calls the turn made. */
  steps?: number | undefined;
}

export interface PrepareTurnInput {
  conversationId: string;
  task: ConversationTask;
}

export interface CallModelInput {
  request: ConverseInput;
  /** The task it is for (what its quota grant is held under). */
  taskId?: string | undefined;
}

export interface StreamModelInput {
  /** Whose listener the events go to. */
  taskId: string;
  request: ConverseInput;
  /** Answer with one Converse call and deliver it as events (see PreparedTurn.streamFallback). */
  fallback: boolean;
}

export interface CommitTurnInput {
  prepared: PreparedTurn;
  reply?: ModelReply | undefined;
}

/**
 * The conversation's I/O, run by the machine's `effects` actor (./turn-effects.ts): each is called
 * when the machine enters the matching state, and its outcome comes back to the machine as an event.
 */
export interface TurnEffects {
  /** Reads the conversation and builds the turn. Stores nothing. */
  prepareTurn(input: PrepareTurnInput): Promise<PreparedTurn>;
  /** Calls the model; the signal aborts when the turn is cancelled or the actor stops. */
  callModel(input: CallModelInput, signal: AbortSignal): Promise<ModelReply>;
  /** Streams the model's answer to the task's listener; resolves with the whole answer. */
  streamModel(input: StreamModelInput, signal: AbortSignal): Promise<ModelReply>;
  /** Stores the whole turn in one versioned write. */
  commitTurn(input: CommitTurnInput): Promise<ConversationRecord>;
  /**
   * Waits until the quota allows the task's model call and holds the grant for it (tasks with
   * `quota` only). The signal aborts the wait: the request then never runs.
   */
  reserveQuota?(input: ReserveQuotaInput, signal: AbortSignal): Promise<void>;
}

export interface ReserveQuotaInput {
  taskId: string;
  request: ConverseInput;
}

/** What the machine asks of its effects actor. */
export type EffectCommand =
  | ({ type: 'prepareTurn'; taskId: string } & PrepareTurnInput)
  | ({ type: 'callModel'; taskId: string } & CallModelInput)
  | ({ type: 'streamModel' } & StreamModelInput)
  | ({ type: 'commitTurn'; taskId: string } & CommitTurnInput)
  | ({ type: 'reserveQuota' } & ReserveQuotaInput)
  | { type: 'abort'; taskId: string; reason: unknown };

/** What the effects actor reports back, always tagged with the task it belongs to. */
export type EffectEvent =
  | { type: 'turn.prepared'; taskId: string; output: PreparedTurn }
  | { type: 'turn.quotaGranted'; taskId: string }
  | { type: 'turn.replied'; taskId: string; output: ModelReply }
  | { type: 'turn.committed'; taskId: string; output: ConversationRecord }
  | { type: 'turn.failed'; taskId: string; error: unknown };
