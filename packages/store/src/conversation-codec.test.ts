import type { Message } from '@aws-sdk/client-bedrock-runtime';
import { ConversationFormatError } from '@bedrock-converse/runtime';
import { describe, expect, it } from 'vitest';
import { decodeConversation, encodeConversation } from './conversation-codec.js';
import type { ConversationRecord } from './conversation-record.js';
import { interruptedToolResult, repairHistory } from './repair-history.js';

const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 255]);
const record: ConversationRecord = {
  id: 'c1',
  modelId: 'local.test',
  systemPrompt: 'Be brief.',
  messages: [
    {
      role: 'user',
      content: [{ text: 'What is this?' }, { image: { format: 'png', source: { bytes: png } } }],
    },
    {
      role: 'assistant',
      content: [{ toolUse: { toolUseId: 't1', name: 'look', input: { deep: [1, { a: null }] } } }],
    },
    {
      role: 'user',
      content: [
        {
          toolResult: {
            toolUseId: 't1',
            status: 'success',
            content: [{ json: { seen: 'a square' } }],
          },
        },
      ],
    },
    { role: 'assistant', content: [{ text: 'A square.' }] },
  ],
  usage: {
    inputTokens: 1,
    outputTokens: 2,
    totalTokens: 3,
    cacheReadInputTokens: 0,
    cacheWriteInputTokens: 0,
  },
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:01.000Z',
  version: 3,
  memory: { pinned: [0] },
};

describe('the conversation format', () => {
  it('round-trips a conversation with tools and images exactly (bytes as base64)', () => {
    const text = encodeConversation(record);
    expect(text).toContain('"$base64":"iVBORw0KGgoBAgP/"');
    const back = decodeConversation(text);
    expect(back).toStrictEqual(record);
    expect(
      (back.messages[0]!.content![1] as { image: { source: { bytes: Uint8Array } } }).image.source
        .bytes,
    ).toBeInstanceOf(Uint8Array);
  });

  it.each([
    ['corrupted JSON', '{"format":"bedrock-converse.conversation","vers', /not valid JSON/],
    ['not a conversation', '{"hello":1}', /not a bedrock-converse conversation/],
    [
      'a future version',
      JSON.stringify({ format: 'bedrock-converse.conversation', version: 2, conversation: {} }),
      /format version 2.*reads version 1.*Upgrade/,
    ],
    [
      'a damaged message',
      encodeConversation({
        ...record,
        messages: [{ role: 'robot', content: [] }] as unknown as Message[],
      }),
      /damaged.*role/s,
    ],
  ])('refuses %s with a clear ConversationFormatError', (_what, text, message) => {
    expect(() => decodeConversation(text)).toThrow(ConversationFormatError);
    expect(() => decodeConversation(text)).toThrow(message);
  });
});

describe('repairHistory', () => {
  it('gives a toolUse left without its result an error result, so the next turn is valid', () => {
    const crashed: Message[] = [
      { role: 'user', content: [{ text: 'go' }] },
      { role: 'assistant', content: [{ toolUse: { toolUseId: 't1', name: 'f', input: {} } }] },
    ];
    expect(repairHistory(crashed)).toStrictEqual([
      ...crashed,
      {
        role: 'user',
        content: [
          {
            toolResult: {
              toolUseId: 't1',
              status: 'error',
              content: [{ text: interruptedToolResult }],
            },
          },
        ],
      },
    ]);
  });

  it('fills an empty error result and turns an orphan result into text; leaves a valid history alone', () => {
    const broken: Message[] = [
      { role: 'user', content: [{ text: 'go' }] },
      { role: 'assistant', content: [{ toolUse: { toolUseId: 't1', name: 'f', input: {} } }] },
      {
        role: 'user',
        content: [
          { toolResult: { toolUseId: 't1', status: 'error', content: [] } },
          { toolResult: { toolUseId: 'gone', content: [{ text: 'x' }] } },
        ],
      },
    ];
    const repaired = repairHistory(broken);
    expect(repaired[2]!.content![0]).toStrictEqual({
      toolResult: {
        toolUseId: 't1',
        status: 'error',
        content: [{ text: 'The tool failed without a message.' }],
      },
    });
    expect(repaired[2]!.content![1]).toStrictEqual({
      text: '[A tool result whose call is missing: [{"text":"x"}]]',
    });
    expect(repairHistory(record.messages)).toBe(record.messages);
  });
});
