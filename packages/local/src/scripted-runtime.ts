import type { ContentBlock, StopReason, TokenUsage } from '@aws-sdk/client-bedrock-runtime';
import {
  type BedrockExceptionName,
  bedrockExceptions,
  type ConverseInput,
  type ConverseResult,
  type ConverseStreamEvent,
  type ModelRuntime,
  type RuntimeCallOptions,
  type StreamChunking,
  sleep,
  streamEventsOf,
  toConverseError,
} from '@bedrock-converse/runtime';
import { offlineAssistant } from './offline-assistant.js';
import { countRequestTokens, countTextTokens, truncateToTokens } from './text-tokens.js';

/** One scripted model turn. */
export type ScriptedTurn =
  | string
  | ScriptedReply
  | ScriptedError
  | ((request: ConverseInput) => ScriptedTurn | Promise<ScriptedTurn>);

export interface ScriptedReply {
  text?: string;
  /** Reasoning shown before the text, as a `reasoningContent` block (signed "scripted"). */
  reasoning?: string;
  toolUses?: Array<{ name: string; input: unknown; toolUseId?: string }>;
  /** Default: `tool_use` when there are tool uses, else `end_turn`. */
  stopReason?: StopReason;
  /** Overrides the counted usage. */
  usage?: Partial<TokenUsage>;
}

/** Makes the model fail with this Bedrock exception (e.g. `ModelErrorException`). */
export interface ScriptedError {
  error: BedrockExceptionName;
  message?: string;
}

export interface ScriptedRuntimeOptions {
  /** Turns answered in order, one per request; when it runs out, `respond` answers. */
  script?: ScriptedTurn[];
  /** Answers requests the script does not cover. Default: the rule-based offline assistant. */
  respond?: (request: ConverseInput) => ScriptedTurn | Promise<ScriptedTurn>;
  /** Added before every answer. */
  latencyMs?: number;
  /** Pause between stream events. */
  chunkDelayMs?: number;
  chunking?: StreamChunking;
  /** How many requests `requests` keeps (oldest dropped first). Default 1000. */
  keepRequests?: number;
}

export interface ScriptedRuntime extends ModelRuntime {
  /** Queues more scripted turns. */
  enqueue(...turns: ScriptedTurn[]): void;
  /** The requests received, oldest first. */
  readonly requests: readonly ConverseInput[];
}

/**
 * A deterministic model for tests and offline examples: exact replies, tool calls and errors on cue.
 * It honours `maxTokens` and `stopSequences`, and counts tokens with `countTextTokens`.
 */
export function scriptedRuntime(options: ScriptedRuntimeOptions = {}): ScriptedRuntime {
  const script = [...(options.script ?? [])];
  const respond = options.respond ?? offlineAssistant;
  const requests: ConverseInput[] = [];
  const keep = options.keepRequests ?? 1000;
  let toolUseCounter = 0;

  async function answer(request: ConverseInput, call?: RuntimeCallOptions) {
    const started = performance.now();
    requests.push(request);
    if (requests.length > keep) requests.shift();
    if (options.latencyMs) await sleep(options.latencyMs, call?.signal);
    let turn: ScriptedTurn = script.length > 0 ? script.shift()! : respond;
    while (typeof turn === 'function') turn = await turn(request);
    if (typeof turn === 'string') turn = { text: turn };
    if ('error' in turn) {
      throw new bedrockExceptions[turn.error](turn.message ?? `Scripted ${turn.error}.`);
    }
    return toResult(request, turn, () => `tooluse_scripted_${++toolUseCounter}`, started);
  }

  return {
    requests,
    enqueue: (...turns) => script.push(...turns),
    async converse(request, call) {
      try {
        return await answer(request, call);
      } catch (error) {
        throw toConverseError(error, call?.signal);
      }
    },
    async *converseStream(request, call): AsyncGenerator<ConverseStreamEvent> {
      let result: ConverseResult;
      try {
        result = await answer(request, call);
      } catch (error) {
        throw toConverseError(error, call?.signal);
      }
      for (const event of streamEventsOf(result, options.chunking)) {
        if (options.chunkDelayMs) await sleep(options.chunkDelayMs, call?.signal);
        yield event;
      }
    },
    async countTokens(input) {
      const converse = input.input && 'converse' in input.input ? input.input.converse : undefined;
      return countRequestTokens(converse?.messages, converse?.system);
    },
  };
}

function toResult(
  request: ConverseInput,
  reply: ScriptedReply,
  nextToolUseId: () => string,
  started: number,
): ConverseResult {
  let text = reply.text ?? '';
  let stopReason: StopReason =
    reply.stopReason ?? (reply.toolUses?.length ? 'tool_use' : 'end_turn');
  const config = request.inferenceConfig;
  // A reply cut by a stop sequence or by maxTokens ends there: its tool uses are never emitted.
  let truncated = false;
  const stopAt = firstStopSequence(text, config?.stopSequences);
  if (stopAt !== undefined) {
    text = text.slice(0, stopAt);
    stopReason = 'stop_sequence';
    truncated = true;
  }
  const maxTokens = config?.maxTokens;
  if (maxTokens !== undefined && countTextTokens(text) > maxTokens) {
    text = truncateToTokens(text, maxTokens);
    stopReason = 'max_tokens';
    truncated = true;
  }
  const content: ContentBlock[] = [];
  if (reply.reasoning) {
    content.push({
      reasoningContent: { reasoningText: { text: reply.reasoning, signature: 'scripted' } },
    });
  }
  if (text !== '') content.push({ text });
  let toolTokens = 0;
  if (!truncated) {
    for (const use of reply.toolUses ?? []) {
      const input = (use.input ?? {}) as Record<string, never>;
      toolTokens += countTextTokens(JSON.stringify(input));
      content.push({
        toolUse: { toolUseId: use.toolUseId ?? nextToolUseId(), name: use.name, input },
      });
    }
  }
  const inputTokens =
    reply.usage?.inputTokens ?? countRequestTokens(request.messages, request.system);
  const outputTokens =
    reply.usage?.outputTokens ??
    countTextTokens(reply.reasoning ?? '') + countTextTokens(text) + toolTokens;
  return {
    output: { message: { role: 'assistant', content } },
    stopReason,
    usage: {
      inputTokens,
      outputTokens,
      totalTokens: reply.usage?.totalTokens ?? inputTokens + outputTokens,
      ...(reply.usage?.cacheReadInputTokens === undefined
        ? {}
        : { cacheReadInputTokens: reply.usage.cacheReadInputTokens }),
      ...(reply.usage?.cacheWriteInputTokens === undefined
        ? {}
        : { cacheWriteInputTokens: reply.usage.cacheWriteInputTokens }),
    },
    metrics: { latencyMs: Math.round(performance.now() - started) },
  };
}

function firstStopSequence(text: string, stops: readonly string[] | undefined): number | undefined {
  let first: number | undefined;
  for (const stop of stops ?? []) {
    if (stop === '') continue;
    const at = text.indexOf(stop);
    if (at >= 0 && (first === undefined || at < first)) first = at;
  }
  return first;
}
