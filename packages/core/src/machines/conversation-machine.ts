// The conversation machine owns one conversation's turn lifecycle: it queues tasks in call order,
// prepares each, calls the model, and commits the turn to the store in one versioned write.
import type { ConversationRecord } from '@bedrock-converse/store';
import { assign, emit, setup } from 'xstate';
import type {
  CallModelInput,
  CommitTurnInput,
  ConversationTask,
  ModelReply,
  PreparedTurn,
  PrepareTurnInput,
} from './conversation-types.js';
import { notProvided } from './not-provided.js';

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

export type ConversationEvent = { type: 'task.submit'; task: ConversationTask };

/** Emitted when a task ends: callers wait for the one with their `taskId`. */
export type ConversationEmitted =
  | { type: 'task.done'; taskId: string; record: ConversationRecord; reply: ModelReply | undefined }
  | { type: 'task.failed'; taskId: string; error: unknown };

export const conversationSetup = setup({
  types: {
    context: {} as ConversationContext,
    events: {} as ConversationEvent,
    input: {} as ConversationInput,
    emitted: {} as ConversationEmitted,
  },
  actors: {
    prepareTurn: notProvided<PreparedTurn, PrepareTurnInput>('prepareTurn'),
    callModel: notProvided<ModelReply, CallModelInput>('callModel'),
    commitTurn: notProvided<ConversationRecord, CommitTurnInput>('commitTurn'),
  },
  guards: {
    hasQueuedTask: ({ context }) => context.queue.length > 0,
    isAppend: ({ context }) => context.task?.kind === 'append',
  },
  actions: {
    enqueueTask: assign({
      queue: ({ context, event }) => [...context.queue, event.task],
    }),
    takeNextTask: assign({
      task: ({ context }) => context.queue[0],
      queue: ({ context }) => context.queue.slice(1),
    }),
    /** Forgets everything the failed turn prepared. Nothing was stored, so history is unchanged. */
    rollbackTurn: assign({ task: undefined, prepared: undefined, reply: undefined }),
    finishTurn: assign({ task: undefined, prepared: undefined, reply: undefined }),
    emitDone: emit(({ context }, params: { record: ConversationRecord }) => ({
      type: 'task.done' as const,
      taskId: context.task!.taskId,
      record: params.record,
      reply: context.reply,
    })),
    emitFailure: emit(({ context }, params: { error: unknown }) => ({
      type: 'task.failed' as const,
      taskId: context.task!.taskId,
      error: params.error,
    })),
  },
});

export const conversationMachine = conversationSetup.createMachine({
  id: 'conversation',
  context: ({ input }) => ({
    conversationId: input.conversationId,
    queue: [],
    task: undefined,
    prepared: undefined,
    reply: undefined,
  }),
  on: {
    'task.submit': { actions: 'enqueueTask' },
  },
  initial: 'idle',
  states: {
    idle: {
      always: { guard: 'hasQueuedTask', target: 'preparing', actions: 'takeNextTask' },
    },
    preparing: {
      invoke: {
        src: 'prepareTurn',
        input: ({ context }) => ({ conversationId: context.conversationId, task: context.task! }),
        onDone: [
          {
            guard: 'isAppend',
            target: 'committing',
            actions: assign({ prepared: ({ event }) => event.output }),
          },
          { target: 'callingModel', actions: assign({ prepared: ({ event }) => event.output }) },
        ],
        onError: {
          target: 'idle',
          actions: [
            { type: 'emitFailure', params: ({ event }) => ({ error: event.error }) },
            'rollbackTurn',
          ],
        },
      },
    },
    callingModel: {
      invoke: {
        src: 'callModel',
        input: ({ context }) => ({ request: context.prepared!.request! }),
        onDone: { target: 'committing', actions: assign({ reply: ({ event }) => event.output }) },
        onError: {
          target: 'idle',
          actions: [
            { type: 'emitFailure', params: ({ event }) => ({ error: event.error }) },
            'rollbackTurn',
          ],
        },
      },
    },
    committing: {
      invoke: {
        src: 'commitTurn',
        input: ({ context }) => ({ prepared: context.prepared!, reply: context.reply }),
        onDone: {
          target: 'idle',
          actions: [
            { type: 'emitDone', params: ({ event }) => ({ record: event.output }) },
            'finishTurn',
          ],
        },
        onError: {
          target: 'idle',
          actions: [
            { type: 'emitFailure', params: ({ event }) => ({ error: event.error }) },
            'rollbackTurn',
          ],
        },
      },
    },
  },
});
