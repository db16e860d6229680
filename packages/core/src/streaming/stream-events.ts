import type {
  ContentBlock,
  ConversationRole,
  ConverseStreamMetadataEvent,
  MessageStopEvent,
  ReasoningContentBlockDelta,
} from '@aws-sdk/client-bedrock-runtime';
import {
  ConnectionError,
  type ConverseResult,
  type ConverseStreamEvent,
  ModelErrorException,
  toConverseError,
} from '@bedrock-converse/runtime';

/** One event of a streamed turn, as `ConverseClient.streamEvents` yields it. */
export type TurnStreamEvent =
  | { type: 'messageStart'; role: ConversationRole }
  | { type: 'textDelta'; contentBlockIndex: number; text: string }
  | { type: 'reasoningDelta'; contentBlockIndex: number; delta: ReasoningContentBlockDelta }
  | { type: 'toolUseStart'; contentBlockIndex: number; toolUseId: string; name: string }
  /** A fragment of the tool's JSON input, as it arrived. */
  | { type: 'toolUseDelta'; contentBlockIndex: number; toolUseId: string; input: string }
  /** The whole tool call, its input parsed once at the block's end. */
  | { type: 'toolUse'; contentBlockIndex: number; toolUseId: string; name: string; input: unknown }
  /** A tool the turn ran (tool turns only), after the model asked for it. */
  | {
      type: 'toolResult';
      toolUseId: string;
      name: string;
      status: 'success' | 'error';
      output?: unknown;
      error?: string;
      durationMs: number;
    }
  | ({ type: 'messageStop' } & MessageStopEvent)
  /** Usage and metrics of one model call: the last event of each (a tool turn makes several). */
  | ({ type: 'metadata' } & ConverseStreamMetadataEvent);

type Block =
  | { kind: 'text'; text: string }
  | { kind: 'reasoning'; text: string; signature?: string; redacted?: Uint8Array }
  | {
      kind: 'toolUse';
      toolUseId: string;
      name: string;
      json: string;
      input?: unknown;
      done: boolean;
    };

const exceptionMembers = [
  'internalServerException',
  'modelStreamErrorException',
  'validationException',
  'throttlingException',
  'serviceUnavailableException',
] as const;

/**
 * Folds ConverseStream events into typed events as they arrive and, at the end, into the same
 * ConverseResult a Converse call returns. Blocks are tracked by `contentBlockIndex`; a tool's JSON
 * input is joined from its fragments and parsed once, at its `contentBlockStop`.
 *
 * A tool call whose input is not valid JSON at the end is dropped when the message stopped at
 * `max_tokens` (the model was cut off mid-call; the half-formed call must never run), and is a
 * ModelErrorException otherwise.
 */
export class StreamAssembler {
  #role: ConversationRole = 'assistant';
  readonly #blocks = new Map<number, Block>();
  #stop: MessageStopEvent | undefined;
  #metadata: ConverseStreamMetadataEvent | undefined;

  /** The typed events for one stream event (none for the ones that carry nothing new). */
  push(event: ConverseStreamEvent): TurnStreamEvent[] {
    if (event.messageStart) {
      this.#role = event.messageStart.role ?? 'assistant';
      return [{ type: 'messageStart', role: this.#role }];
    }
    if (event.contentBlockStart) {
      const { contentBlockIndex = 0, start } = event.contentBlockStart;
      const toolUse = start?.toolUse;
      if (!toolUse) return [];
      const block: Block = {
        kind: 'toolUse',
        toolUseId: toolUse.toolUseId ?? '',
        name: toolUse.name ?? '',
        json: '',
        done: false,
      };
      this.#blocks.set(contentBlockIndex, block);
      return [
        { type: 'toolUseStart', contentBlockIndex, toolUseId: block.toolUseId, name: block.name },
      ];
    }
    if (event.contentBlockDelta) {
      const { contentBlockIndex = 0, delta } = event.contentBlockDelta;
      if (delta?.text !== undefined) {
        const block = this.#blockOf(contentBlockIndex, 'text');
        if (block?.kind === 'text') block.text += delta.text;
        return [{ type: 'textDelta', contentBlockIndex, text: delta.text }];
      }
      if (delta?.toolUse) {
        const block = this.#blocks.get(contentBlockIndex);
        if (block?.kind !== 'toolUse') {
          throw new ModelErrorException(
            `The stream sent tool input for block ${contentBlockIndex} before its contentBlockStart.`,
          );
        }
        block.json += delta.toolUse.input ?? '';
        return [
          {
            type: 'toolUseDelta',
            contentBlockIndex,
            toolUseId: block.toolUseId,
            input: delta.toolUse.input ?? '',
          },
        ];
      }
      if (delta?.reasoningContent) {
        const block = this.#blockOf(contentBlockIndex, 'reasoning');
        const reasoning = delta.reasoningContent;
        if (block?.kind === 'reasoning') {
          if (reasoning.text !== undefined) block.text += reasoning.text;
          if (reasoning.signature !== undefined) block.signature = reasoning.signature;
          if (reasoning.redactedContent !== undefined) block.redacted = reasoning.redactedContent;
        }
        return [{ type: 'reasoningDelta', contentBlockIndex, delta: reasoning }];
      }
      // Other delta kinds (citations, images, tool results) are not assembled yet.
      return [];
    }
    if (event.contentBlockStop) {
      const { contentBlockIndex = 0 } = event.contentBlockStop;
      const block = this.#blocks.get(contentBlockIndex);
      if (block?.kind !== 'toolUse' || block.done) return [];
      const input = parseJson(block.json);
      if (input === invalid) return [];
      block.input = input;
      block.done = true;
      return [
        {
          type: 'toolUse',
          contentBlockIndex,
          toolUseId: block.toolUseId,
          name: block.name,
          input,
        },
      ];
    }
    if (event.messageStop) {
      this.#stop = event.messageStop;
      return [{ type: 'messageStop', ...event.messageStop }];
    }
    if (event.metadata) {
      this.#metadata = event.metadata;
      return [{ type: 'metadata', ...event.metadata }];
    }
    for (const member of exceptionMembers) {
      const exception = (event as unknown as Record<string, { message?: string } | undefined>)[
        member
      ];
      if (exception) {
        throw toConverseError(
          Object.assign(new Error(exception.message ?? member), { name: member }),
        );
      }
    }
    return [];
  }

  /** The whole answer. Throws when the stream ended before its messageStop and metadata. */
  result(): ConverseResult {
    const stop = this.#stop;
    const metadata = this.#metadata;
    if (!stop || !metadata) {
      throw new ConnectionError(
        `The stream ended before its ${stop ? 'metadata' : 'messageStop'} event; nothing was stored.`,
      );
    }
    const content: ContentBlock[] = [];
    for (const [index, block] of [...this.#blocks].sort(([a], [b]) => a - b)) {
      if (block.kind === 'text') content.push({ text: block.text });
      else if (block.kind === 'reasoning') {
        content.push({
          reasoningContent: block.redacted
            ? { redactedContent: block.redacted }
            : {
                reasoningText: {
                  text: block.text,
                  ...(block.signature === undefined ? {} : { signature: block.signature }),
                },
              },
        });
      } else if (block.done) {
        content.push({
          toolUse: {
            toolUseId: block.toolUseId,
            name: block.name,
            input: block.input as never,
          },
        });
      } else if (stop.stopReason !== 'max_tokens') {
        throw new ModelErrorException(
          `The input of tool call "${block.name}" (block ${index}) is not valid JSON; nothing was stored.`,
        );
      }
    }
    return {
      output: { message: { role: this.#role, content } },
      stopReason: stop.stopReason,
      ...(stop.additionalModelResponseFields === undefined
        ? {}
        : { additionalModelResponseFields: stop.additionalModelResponseFields }),
      usage: metadata.usage,
      metrics: metadata.metrics,
      ...(metadata.trace === undefined ? {} : { trace: metadata.trace }),
      ...(metadata.performanceConfig === undefined
        ? {}
        : { performanceConfig: metadata.performanceConfig }),
      ...(metadata.serviceTier === undefined ? {} : { serviceTier: metadata.serviceTier }),
    };
  }

  #blockOf(index: number, kind: 'text' | 'reasoning'): Block | undefined {
    const existing = this.#blocks.get(index);
    if (existing) return existing;
    const block: Block = kind === 'text' ? { kind, text: '' } : { kind, text: '' };
    this.#blocks.set(index, block);
    return block;
  }
}

const invalid = Symbol('invalid');

function parseJson(json: string): unknown {
  if (json.trim() === '') return {};
  try {
    return JSON.parse(json);
  } catch {
    return invalid;
  }
}
