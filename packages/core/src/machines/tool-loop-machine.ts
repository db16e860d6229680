// The tool-loop machine runs one tool-using turn: call the model; when it asks for tools, run them
// all (in parallel) and send their results back; call the model again; until it answers without
// tools, the step limit is reached, or the turn is cancelled (the parent stops this actor). It
// stores nothing: its output goes to the conversation machine, which commits the whole turn.
import type { Message, TokenUsage, ToolUseBlock } from '@aws-sdk/client-bedrock-runtime';
import {
  type ConverseInput,
  isContextOverflow,
  MaxStepsExceeded,
  MaxTokensReached,
  replyMessage,
} from '@bedrock-converse/runtime';
import type { ToolCall } from '@bedrock-converse/tools';
import { and, assign, fromPromise, not, setup } from 'xstate';
import {
  overflowError,
  type ShrinkableRequest,
  shrinkLoopRequest,
} from '../turns/shrink-request.js';
import type { ModelReply } from './conversation-types.js';

export interface ToolLoopInput {
  taskId: string;
  /** The first request: the history, the user's message and the tools. */
  request: ConverseInput;
  stream: boolean;
  /** Model calls without streaming, delivered as stream events (see PreparedTurn). */
  fallback: boolean;
  /** At most this many model calls in the turn. */
  maxSteps: number;
  /** How the first request was built, so overflow recovery can make a smaller one. */
  shrinkable?: ShrinkableRequest | undefined;
}

export interface ToolLoopContext extends ToolLoopInput {
  /** The messages the turn adds after the user's message, oldest first. */
  added: Message[];
  /** Model calls made so far. */
  steps: number;
  /** The last model reply. */
  reply: ModelReply | undefined;
  /** Summed over every model call of the turn. */
  usage: UsageSum;
  latencyMs: number;
  calls: ToolCall[];
  error: unknown;
  /** Copies of `added` as sent after overflow recovery cut some of them (the first ones). */
  sentAdded: Message[];
}

interface UsageSum extends TokenUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

export interface ModelStepInput {
  taskId: string;
  request: ConverseInput;
  stream: boolean;
  fallback: boolean;
}

export interface ToolStepInput {
  taskId: string;
  toolUses: ToolUseBlock[];
}

export type ToolLoopOutput = { ok: true; reply: ModelReply } | { ok: false; error: unknown };

function notProvided<TOutput, TInput>(name: string) {
  return fromPromise<TOutput, TInput>(async () => {
    throw new Error(
      `The tool loop's "${name}" was not provided: use toolLoopMachine.provide({ actors: { ${name} } }).`,
    );
  });
}

/** The toolUse blocks of a reply's message. */
export function toolUsesOf(reply: ModelReply | undefined): ToolUseBlock[] {
  const message = reply ? replyMessage(reply.result) : undefined;
  return (message?.content ?? []).flatMap((block) => (block.toolUse ? [block.toolUse] : []));
}

export const toolLoopSetup = setup({
  types: {
    context: {} as ToolLoopContext,
    input: {} as ToolLoopInput,
    output: {} as ToolLoopOutput,
  },
  actors: {
    callModel: notProvided<ModelReply, ModelStepInput>('callModel'),
    runTools: notProvided<ToolCall[], ToolStepInput>('runTools'),
  },
  guards: {
    /** The model asked for tools. */
    wantsTools: ({ context }) =>
      context.reply?.result.stopReason === 'tool_use' && toolUsesOf(context.reply).length > 0,
    /** Another model call is allowed after this one. */
    hasStepsLeft: ({ context }) => context.steps < context.maxSteps,
    /** The model ran out of tokens while writing tool calls: they must not run. */
    cutMidToolUse: ({ context }) =>
      context.reply?.result.stopReason === 'max_tokens' && toolUsesOf(context.reply).length > 0,
  },
  actions: {
    recordReply: assign(({ context }, reply: ModelReply) => {
      const message = replyMessage(reply.result);
      return {
        reply,
        steps: context.steps + 1,
        added: message ? [...context.added, message] : context.added,
        latencyMs: context.latencyMs + reply.latencyMs,
        usage: addUsage(context.usage, reply.result.usage),
      };
    }),
    recordToolResults: assign(({ context }, calls: ToolCall[]) => ({
      calls: [...context.calls, ...calls],
      added: [
        ...context.added,
        { role: 'user' as const, content: calls.map((call) => ({ toolResult: call.result })) },
      ],
    })),
    fail: assign((_, params: { error: unknown }) => ({ error: params.error })),
  },
});

function addUsage(totals: UsageSum, usage: TokenUsage | undefined): UsageSum {
  const sum: UsageSum = {
    inputTokens: totals.inputTokens + (usage?.inputTokens ?? 0),
    outputTokens: totals.outputTokens + (usage?.outputTokens ?? 0),
    totalTokens: totals.totalTokens + (usage?.totalTokens ?? 0),
  };
  for (const key of ['cacheReadInputTokens', 'cacheWriteInputTokens'] as const) {
    if (totals[key] !== undefined || usage?.[key] !== undefined) {
      sum[key] = (totals[key] ?? 0) + (usage?.[key] ?? 0);
    }
  }
  return sum;
}

/** The loop's request made smaller by one round of overflow recovery, if it can be. */
function shrunk(context: ToolLoopContext): Partial<ToolLoopContext> | undefined {
  if (!context.shrinkable) return undefined;
  const next = shrinkLoopRequest(context.shrinkable, context.request, [
    ...context.sentAdded,
    ...context.added.slice(context.sentAdded.length),
  ]);
  return next && { shrinkable: next.shrinkable, request: next.request, sentAdded: next.sentAdded };
}

/** The model said the request does not fit, and recovery can still make it smaller. */
function canShrinkAfterOverflow({
  context,
  event,
}: {
  context: ToolLoopContext;
  event: { error: unknown };
}) {
  return isContextOverflow(event.error) && shrunk(context) !== undefined;
}

export const toolLoopMachine = toolLoopSetup.createMachine({
  id: 'toolLoop',
  context: ({ input }) => ({
    ...input,
    added: [],
    steps: 0,
    reply: undefined,
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
    latencyMs: 0,
    calls: [],
    error: undefined,
    sentAdded: [],
  }),
  initial: 'callingModel',
  states: {
    callingModel: {
      invoke: {
        src: 'callModel',
        input: ({ context }) => ({
          taskId: context.taskId,
          request: {
            ...context.request,
            messages: [
              ...(context.request.messages ?? []),
              ...context.sentAdded,
              ...context.added.slice(context.sentAdded.length),
            ],
          },
          stream: context.stream,
          fallback: context.fallback,
        }),
        onDone: {
          target: 'deciding',
          actions: { type: 'recordReply', params: ({ event }) => event.output },
        },
        onError: [
          {
            guard: canShrinkAfterOverflow,
            target: 'callingModel',
            reenter: true,
            actions: assign(({ context }) => shrunk(context)!),
          },
          {
            guard: ({ event }) => isContextOverflow(event.error),
            target: 'failed',
            actions: {
              type: 'fail',
              params: ({ context, event }) => ({
                error: overflowError(
                  context.shrinkable && {
                    requestParts: context.shrinkable.parts,
                    request: context.request,
                  },
                  event.error,
                  context.added,
                ),
              }),
            },
          },
          {
            target: 'failed',
            actions: { type: 'fail', params: ({ event }) => ({ error: event.error }) },
          },
        ],
      },
    },
    deciding: {
      always: [
        {
          guard: 'cutMidToolUse',
          target: 'failed',
          actions: {
            type: 'fail',
            params: ({ context }) => ({
              error: new MaxTokensReached(
                `The model reached maxTokens (${context.request.inferenceConfig?.maxTokens ?? 'its limit'}) in the middle of a tool call; the half-formed call was not run and nothing of the turn was stored. Raise inferenceConfig.maxTokens.`,
              ),
            }),
          },
        },
        { guard: and(['wantsTools', 'hasStepsLeft']), target: 'runningTools' },
        {
          guard: and(['wantsTools', not('hasStepsLeft')]),
          target: 'failed',
          actions: {
            type: 'fail',
            params: ({ context }) => ({ error: new MaxStepsExceeded(context.maxSteps) }),
          },
        },
        { target: 'done' },
      ],
    },
    runningTools: {
      invoke: {
        src: 'runTools',
        input: ({ context }) => ({ taskId: context.taskId, toolUses: toolUsesOf(context.reply) }),
        onDone: {
          target: 'callingModel',
          actions: { type: 'recordToolResults', params: ({ event }) => event.output },
        },
        onError: {
          target: 'failed',
          actions: { type: 'fail', params: ({ event }) => ({ error: event.error }) },
        },
      },
    },
    done: { type: 'final' },
    failed: { type: 'final' },
  },
  output: ({ context }) =>
    context.error !== undefined
      ? { ok: false, error: context.error }
      : {
          ok: true,
          reply: {
            result: { ...context.reply!.result, usage: context.usage },
            latencyMs: context.latencyMs,
            messages: context.added,
            toolCalls: context.calls,
            steps: context.steps,
          },
        },
});
