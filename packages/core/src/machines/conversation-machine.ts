// The conversation machine owns one conversation's turn lifecycle: it queues tasks in call order,
// prepares each, calls the model, and commits the turn to the store in one versioned write. The
// machine itself does no I/O: each state asks its `effects` actor for one piece of work and moves
// on when that actor reports back.
import { AbortError, isContextOverflow } from '@bedrock-converse/runtime';
import type { ConversationRecord } from '@bedrock-converse/store';
import { and, assign, emit, sendTo, setup } from 'xstate';
import { overflowError, shrinkableOf, shrinkPrepared } from '../turns/shrink-request.js';
import type {
  ConversationTask,
  EffectEvent,
  ModelReply,
  PreparedTurn,
} from './conversation-types.js';
import { type ToolLoopOutput, toolLoopMachine } from './tool-loop-machine.js';
import { effectsNotProvided, turnEffects } from './turn-effects.js';

export interface ConversationContext {
  conversationId: string;
  /** Tasks waiting for the current one to finish, oldest first. */
  queue: ConversationTask[];
  /** The task being worked on. */
  task: ConversationTask | undefined;
  prepared: PreparedTurn | undefined;
  reply: ModelReply | undefined;
}

export interface ConversationInput {
  conversationId: string;
}

export type ConversationEvent =
  | { type: 'task.submit'; task: ConversationTask }
  /**
   * The caller gave up on a task (a stream's consumer stopped reading, or its signal aborted). A
   * queued task is dropped; the current one is abandoned while preparing, calling the model or
   * streaming (the call is aborted) and ends with `task.failed`. Once committing, it runs to the end.
   */
  | { type: 'task.cancel'; taskId: string; reason?: unknown }
  | EffectEvent;

/** Emitted when a task ends: callers wait for the one with their `taskId`. */
export type ConversationEmitted =
  | { type: 'task.done'; taskId: string; record: ConversationRecord; reply: ModelReply | undefined }
  | { type: 'task.failed'; taskId: string; error: unknown };

const EFFECTS = 'effects';

function cancelReason(event: ConversationEvent): unknown {
  const reason = event.type === 'task.cancel' ? event.reason : undefined;
  return reason instanceof Error ? reason : new AbortError('The task was cancelled by its caller.');
}

export const conversationSetup = setup({
  types: {
    context: {} as ConversationContext,
    events: {} as ConversationEvent,
    input: {} as ConversationInput,
    emitted: {} as ConversationEmitted,
  },
  actors: {
    effects: turnEffects(effectsNotProvided),
    toolLoop: toolLoopMachine,
  },
  guards: {
    hasQueuedTask: ({ context }) => context.queue.length > 0,
    isAppend: ({ context }) => context.task?.kind === 'append',
    isStreaming: ({ context }) => context.task?.kind === 'send' && context.task.stream === true,
    isToolTurn: ({ context }) =>
      context.task?.kind === 'send' && context.task.toolLoop !== undefined,
    needsQuota: ({ context }) => context.task?.kind === 'send' && context.task.quota !== undefined,
    /** The event is about the task being worked on (late news of a cancelled task is ignored). */
    isCurrentTask: ({ context, event }) =>
      'taskId' in event && event.taskId === context.task?.taskId,
    /** The model said the request does not fit its context window. */
    isContextOverflow: ({ event }) =>
      event.type === 'turn.failed' && isContextOverflow(event.error),
    /** Overflow recovery can still make the request smaller. */
    canShrinkRequest: ({ context }) =>
      context.prepared !== undefined && shrinkPrepared(context.prepared) !== undefined,
    isQueuedTask: ({ context, event }) =>
      'taskId' in event && context.queue.some((task) => task.taskId === event.taskId),
  },
  actions: {
    enqueueTask: assign({
      queue: ({ context, event }) =>
        event.type === 'task.submit' ? [...context.queue, event.task] : context.queue,
    }),
    takeSubmittedTask: assign({
      task: ({ event }) => (event.type === 'task.submit' ? event.task : undefined),
    }),
    takeNextTask: assign({
      task: ({ context }) => context.queue[0],
      queue: ({ context }) => context.queue.slice(1),
    }),
    dropQueuedTask: assign({
      queue: ({ context, event }) =>
        context.queue.filter((task) => !('taskId' in event) || task.taskId !== event.taskId),
    }),
    storePrepared: assign({
      prepared: ({ event }) => (event.type === 'turn.prepared' ? event.output : undefined),
    }),
    /** One round of overflow recovery: a smaller request (the stored history is untouched). */
    shrinkRequest: assign({
      prepared: ({ context }) => shrinkPrepared(context.prepared!) ?? context.prepared,
    }),
    emitOverflow: emit(({ context, event }) => ({
      type: 'task.failed' as const,
      taskId: context.task!.taskId,
      error: overflowError(
        context.prepared,
        event.type === 'turn.failed' ? event.error : undefined,
      ),
    })),
    storeReply: assign({
      reply: ({ event }) => (event.type === 'turn.replied' ? event.output : undefined),
    }),
    requestPrepare: sendTo(EFFECTS, ({ context }) => ({
      type: 'prepareTurn' as const,
      taskId: context.task!.taskId,
      conversationId: context.conversationId,
      task: context.task!,
    })),
    requestModelCall: sendTo(EFFECTS, ({ context }) => ({
      type: 'callModel' as const,
      taskId: context.task!.taskId,
      request: context.prepared!.request!,
    })),
    requestQuota: sendTo(EFFECTS, ({ context }) => ({
      type: 'reserveQuota' as const,
      taskId: context.task!.taskId,
      request: context.prepared!.request!,
    })),
    requestModelStream: sendTo(EFFECTS, ({ context }) => ({
      type: 'streamModel' as const,
      taskId: context.task!.taskId,
      request: context.prepared!.request!,
      fallback: context.prepared!.streamFallback === true,
    })),
    requestCommit: sendTo(EFFECTS, ({ context }) => ({
      type: 'commitTurn' as const,
      taskId: context.task!.taskId,
      prepared: context.prepared!,
      reply: context.reply,
    })),
    abortEffects: sendTo(EFFECTS, ({ context, event }) => ({
      type: 'abort' as const,
      taskId: context.task!.taskId,
      reason: cancelReason(event),
    })),
    /** Forgets everything the failed turn prepared. Nothing was stored, so history is unchanged. */
    rollbackTurn: assign({ task: undefined, prepared: undefined, reply: undefined }),
    finishTurn: assign({ task: undefined, prepared: undefined, reply: undefined }),
    emitDone: emit(({ context, event }) => ({
      type: 'task.done' as const,
      taskId: context.task!.taskId,
      record: (event as Extract<EffectEvent, { type: 'turn.committed' }>).output,
      reply: context.reply,
    })),
    emitFailure: emit(({ context, event }) => ({
      type: 'task.failed' as const,
      taskId: context.task!.taskId,
      error: event.type === 'turn.failed' ? event.error : cancelReason(event),
    })),
    emitQueuedCancelled: emit(({ event }) => ({
      type: 'task.failed' as const,
      taskId: (event as Extract<ConversationEvent, { type: 'task.cancel' }>).taskId,
      error: cancelReason(event),
    })),
  },
});

/** The tool loop ended with an answer (not with an error). */
function loopSucceeded({ event }: { event: { output: ToolLoopOutput } }) {
  return event.output.ok;
}

/** A failure reported for the current task: the turn is rolled back. */
const failTurn = {
  guard: 'isCurrentTask',
  target: 'idle',
  actions: ['emitFailure', 'rollbackTurn'],
} as const;

/**
 * A model call failed in `state`: when the request did not fit, shrink it and call again (every
 * round removes tokens, so this ends); when nothing more can go, ContextWindowOverflow; any other
 * failure rolls the turn back.
 */
const modelCallFailed = (state: 'callingModel' | 'streaming') =>
  [
    {
      guard: and(['isCurrentTask', 'isContextOverflow', 'canShrinkRequest']),
      target: state,
      reenter: true,
      actions: 'shrinkRequest',
    },
    {
      guard: and(['isCurrentTask', 'isContextOverflow']),
      target: 'idle',
      actions: ['emitOverflow', 'rollbackTurn'],
    },
    failTurn,
  ] as const;

/** The caller cancelled the current task: abort its work and roll the turn back. */
const cancelTurn = {
  guard: 'isCurrentTask',
  target: 'idle',
  actions: ['abortEffects', 'emitFailure', 'rollbackTurn'],
} as const;

export const conversationMachine = conversationSetup.createMachine({
  id: 'conversation',
  context: ({ input }) => ({
    conversationId: input.conversationId,
    queue: [],
    task: undefined,
    prepared: undefined,
    reply: undefined,
  }),
  invoke: { id: EFFECTS, src: 'effects' },
  on: {
    'task.submit': { actions: 'enqueueTask' },
    'task.cancel': { guard: 'isQueuedTask', actions: ['emitQueuedCancelled', 'dropQueuedTask'] },
  },
  initial: 'idle',
  states: {
    idle: {
      // A task submitted to an idle conversation starts at once; one submitted while a turn runs
      // waits in the queue (the root's `task.submit`) and starts when the machine is idle again.
      on: { 'task.submit': { target: 'preparing', actions: 'takeSubmittedTask' } },
      always: { guard: 'hasQueuedTask', target: 'preparing', actions: 'takeNextTask' },
    },
    preparing: {
      entry: 'requestPrepare',
      on: {
        'turn.prepared': [
          {
            guard: and(['isCurrentTask', 'isAppend']),
            target: 'committing',
            actions: 'storePrepared',
          },
          {
            guard: and(['isCurrentTask', 'isToolTurn']),
            target: 'usingTools',
            actions: 'storePrepared',
          },
          {
            guard: and(['isCurrentTask', 'needsQuota']),
            target: 'waitingForQuota',
            actions: 'storePrepared',
          },
          {
            guard: and(['isCurrentTask', 'isStreaming']),
            target: 'streaming',
            actions: 'storePrepared',
          },
          { guard: 'isCurrentTask', target: 'callingModel', actions: 'storePrepared' },
        ],
        'turn.failed': failTurn,
        'task.cancel': cancelTurn,
      },
    },
    /** Waiting until the quota (requests and tokens per minute) allows the model call. */
    waitingForQuota: {
      entry: 'requestQuota',
      on: {
        'turn.quotaGranted': [
          { guard: and(['isCurrentTask', 'isStreaming']), target: 'streaming' },
          { guard: 'isCurrentTask', target: 'callingModel' },
        ],
        'turn.failed': failTurn,
        'task.cancel': cancelTurn,
      },
    },
    callingModel: {
      entry: 'requestModelCall',
      on: {
        'turn.replied': { guard: 'isCurrentTask', target: 'committing', actions: 'storeReply' },
        'turn.failed': modelCallFailed('callingModel'),
        'task.cancel': cancelTurn,
      },
    },
    /** Like callingModel, while the answer's events go to the caller as they arrive. */
    streaming: {
      entry: 'requestModelStream',
      on: {
        'turn.replied': { guard: 'isCurrentTask', target: 'committing', actions: 'storeReply' },
        'turn.failed': modelCallFailed('streaming'),
        'task.cancel': cancelTurn,
      },
    },
    /**
     * A turn with tools: the tool-loop machine calls the model and runs the tools it asks for
     * until it answers without them. Cancelling stops the loop (its model call and tools abort).
     */
    usingTools: {
      invoke: {
        src: 'toolLoop',
        input: ({ context }) => {
          const task = context.task as Extract<ConversationTask, { kind: 'send' }>;
          return {
            taskId: task.taskId,
            request: context.prepared!.request!,
            stream: task.stream === true,
            fallback: context.prepared!.streamFallback === true,
            maxSteps: task.toolLoop!.maxSteps,
            shrinkable: shrinkableOf(context.prepared!),
          };
        },
        onDone: [
          {
            guard: loopSucceeded,
            target: 'committing',
            actions: assign({
              reply: ({ event }) => (event.output.ok ? event.output.reply : undefined),
            }),
          },
          {
            target: 'idle',
            actions: [
              emit(({ context, event }) => ({
                type: 'task.failed' as const,
                taskId: context.task!.taskId,
                error: event.output.ok ? undefined : event.output.error,
              })),
              'rollbackTurn',
            ],
          },
        ],
        onError: {
          target: 'idle',
          actions: [
            emit(({ context, event }) => ({
              type: 'task.failed' as const,
              taskId: context.task!.taskId,
              error: event.error,
            })),
            'rollbackTurn',
          ],
        },
      },
      on: { 'task.cancel': cancelTurn },
    },
    committing: {
      entry: 'requestCommit',
      on: {
        'turn.committed': {
          guard: 'isCurrentTask',
          target: 'idle',
          actions: ['emitDone', 'finishTurn'],
        },
        'turn.failed': failTurn,
      },
    },
  },
});
