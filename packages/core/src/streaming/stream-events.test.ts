import type { ConverseStreamEvent } from '@bedrock-converse/runtime';
import {
  ConnectionError,
  ModelErrorException,
  ModelStreamErrorException,
  ThrottlingException,
} from '@bedrock-converse/runtime';
import { describe, expect, it } from 'vitest';
import { StreamAssembler, type TurnStreamEvent } from './stream-events.js';

const metadata: ConverseStreamEvent = {
  metadata: {
    usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 },
    metrics: { latencyMs: 5 },
  },
};

function run(events: ConverseStreamEvent[]) {
  const assembler = new StreamAssembler();
  const typed: TurnStreamEvent[] = events.flatMap((e) => assembler.push(e));
  return { typed, assembler };
}

const toolStart = (index: number, id: string, name: string): ConverseStreamEvent => ({
  contentBlockStart: { contentBlockIndex: index, start: { toolUse: { toolUseId: id, name } } },
});
const toolDelta = (index: number, input: string): ConverseStreamEvent => ({
  contentBlockDelta: { contentBlockIndex: index, delta: { toolUse: { input } } },
});
const text = (index: number, t: string): ConverseStreamEvent => ({
  contentBlockDelta: { contentBlockIndex: index, delta: { text: t } },
});
const stop = (index: number): ConverseStreamEvent => ({
  contentBlockStop: { contentBlockIndex: index },
});

describe('StreamAssembler', () => {
  it('assembles text and several tool calls by block index into the Converse result', () => {
    const { typed, assembler } = run([
      { messageStart: { role: 'assistant' } },
      text(0, 'Checking '),
      text(0, 'both.'),
      stop(0),
      toolStart(1, 't1', 'a'),
      toolDelta(1, '{"x":'),
      toolStart(2, 't2', 'b'),
      toolDelta(2, '{}'),
      toolDelta(1, '1}'),
      stop(2),
      stop(1),
      { messageStop: { stopReason: 'tool_use' } },
      metadata,
    ]);
    expect(typed.filter((e) => e.type === 'toolUse')).toStrictEqual([
      { type: 'toolUse', contentBlockIndex: 2, toolUseId: 't2', name: 'b', input: {} },
      { type: 'toolUse', contentBlockIndex: 1, toolUseId: 't1', name: 'a', input: { x: 1 } },
    ]);
    expect(assembler.result()).toStrictEqual({
      output: {
        message: {
          role: 'assistant',
          content: [
            { text: 'Checking both.' },
            { toolUse: { toolUseId: 't1', name: 'a', input: { x: 1 } } },
            { toolUse: { toolUseId: 't2', name: 'b', input: {} } },
          ],
        },
      },
      stopReason: 'tool_use',
      usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 },
      metrics: { latencyMs: 5 },
    });
  });

  it('drops a tool call cut off by max_tokens instead of storing or running it', () => {
    const { typed, assembler } = run([
      { messageStart: { role: 'assistant' } },
      text(0, 'Let me'),
      toolStart(1, 't1', 'a'),
      toolDelta(1, '{"query": "unfini'),
      { messageStop: { stopReason: 'max_tokens' } },
      metadata,
    ]);
    expect(typed.some((e) => e.type === 'toolUse')).toBe(false);
    expect(assembler.result().output?.message?.content).toStrictEqual([{ text: 'Let me' }]);
  });

  it('refuses tool input that is not JSON when the model did not run out of tokens', () => {
    const { assembler } = run([
      toolStart(0, 't1', 'a'),
      toolDelta(0, '{"broken"'),
      stop(0),
      { messageStop: { stopReason: 'tool_use' } },
      metadata,
    ]);
    expect(() => assembler.result()).toThrow(ModelErrorException);
  });

  it('refuses tool input for a block that never started', () => {
    expect(() => run([toolDelta(0, '{}')])).toThrow(ModelErrorException);
  });

  it.each([
    [{ messageStart: { role: 'assistant' } }, text(0, 'x')],
    [{ messageStart: { role: 'assistant' } }, { messageStop: { stopReason: 'end_turn' } }],
  ] as ConverseStreamEvent[][])(
    'a stream without messageStop or metadata is incomplete',
    (...events) => {
      const { assembler } = run(events);
      expect(() => assembler.result()).toThrow(ConnectionError);
    },
  );

  it.each([
    ['throttlingException', ThrottlingException],
    ['modelStreamErrorException', ModelStreamErrorException],
  ] as const)('an in-stream %s event raises its typed error', (member, type) => {
    const assembler = new StreamAssembler();
    expect(() =>
      assembler.push({ [member]: { message: 'slow down' } } as unknown as ConverseStreamEvent),
    ).toThrow(type);
  });
});
