import type { Message } from '@aws-sdk/client-bedrock-runtime';
import { ValidationException } from '@bedrock-converse/runtime';
import { describe, expect, it } from 'vitest';
import { ModelRegistry } from '../registry/model-registry.js';
import { buildConverseInput } from './build-request.js';

const registry = new ModelRegistry();
const question: Message[] = [{ role: 'user', content: [{ text: 'Hi' }] }];

describe('buildConverseInput', () => {
  it('sends the system prompt as system for models that take one', () => {
    const input = buildConverseInput({
      modelInfo: registry.resolve('anthropic.claude-3-haiku-20240307-v1:0'),
      messages: question,
      systemPrompt: 'Be brief.',
      inferenceConfig: { maxTokens: 5 },
    });
    expect(input).toStrictEqual({
      modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
      system: [{ text: 'Be brief.' }],
      messages: question,
      inferenceConfig: { maxTokens: 5 },
    });
  });

  it('folds the system prompt into the first user turn for models that take none, without touching history', () => {
    const history: Message[] = [
      ...question,
      { role: 'assistant', content: [{ text: 'Hello' }] },
      { role: 'user', content: [{ text: 'Again' }] },
    ];
    const input = buildConverseInput({
      modelInfo: registry.resolve('mistral.mistral-7b-instruct-v0:2'),
      messages: history,
      systemPrompt: 'Be brief.',
    });
    expect(input.system).toBeUndefined();
    expect(input.messages?.[0]).toStrictEqual({
      role: 'user',
      content: [{ text: 'Be brief.' }, { text: 'Hi' }],
    });
    expect(input.messages?.slice(1)).toStrictEqual(history.slice(1));
    expect(history[0]).toStrictEqual(question[0]);
  });

  it('refuses an image for a text-only model before any call', () => {
    const withImage: Message[] = [
      {
        role: 'user',
        content: [
          { text: 'look' },
          { image: { format: 'png', source: { bytes: new Uint8Array([1]) } } },
        ],
      },
    ];
    expect(() =>
      buildConverseInput({
        modelInfo: registry.resolve('amazon.nova-micro-v1:0'),
        messages: withImage,
      }),
    ).toThrow(
      new ValidationException(
        'The model amazon.nova-micro-v1:0 does not accept images (message 0 has one). Use a model with image input, e.g. Claude 3.5 Sonnet or Nova Lite.',
      ),
    );
  });
});
