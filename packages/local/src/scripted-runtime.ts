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
import { blockText, countRequestTokens, countTextTokens, truncateToTokens } from './text-tokens.js';

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
  /** Prompt-cache prefixes seen, like the service's cache: the first time written, then read. */
  const promptCache = new Set<string>();

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
    return withCacheUsage(
      toResult(request, turn, () => `tooluse_scripted_${++toolUseCounter}`, started),
      request,
      promptCache,
    );
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

/**
 * Prompt caching as the service reports it: the tokens before the request's last checkpoint are
 * written to the cache the first time that prefix is seen and read from it afterwards; only the
 * rest counts as plain input.
 */
function withCacheUsage(
  result: ConverseResult,
  request: ConverseInput,
  seen: Set<string>,
): ConverseResult {
  // The prefix at each checkpoint, in order, with its token count.
  const texts: string[] = [];
  let tokens = 0;
  const checkpoints: Array<{ key: string; tokens: number }> = [];
  const mark = () => checkpoints.push({ key: JSON.stringify([request.modelId, texts]), tokens });
  for (const block of request.system ?? []) {
    if ('cachePoint' in block && block.cachePoint) mark();
    else {
      texts.push(blockText(block));
      tokens += countTextTokens(blockText(block));
    }
  }
  for (const message of request.messages ?? []) {
    for (const block of message.content ?? []) {
      if (block.cachePoint) mark();
      else {
        texts.push(blockText(block));
        tokens += countTextTokens(blockText(block));
      }
    }
  }
  const last = checkpoints.at(-1);
  if (!last || last.tokens === 0 || !result.usage) return result;
  // The longest prefix already cached is read; the rest up to the last checkpoint is written.
  const read = Math.max(0, ...checkpoints.filter((c) => seen.has(c.key)).map((c) => c.tokens));
  const written = last.tokens - read;
  for (const checkpoint of checkpoints) seen.add(checkpoint.key);
  const inputTokens = Math.max(0, (result.usage.inputTokens ?? 0) - last.tokens);
  return {
    ...result,
    usage: {
      ...result.usage,
      inputTokens,
      totalTokens: inputTokens + (result.usage.outputTokens ?? 0),
      cacheReadInputTokens: read,
      cacheWriteInputTokens: written,
    },
  };
}
