import { describe, expect, it } from 'vitest';
import { baseModelIdOf, ModelRegistry } from './model-registry.js';

const registry = new ModelRegistry();

describe('ModelRegistry.resolve', () => {
  it('strips inference-profile prefixes and ARNs to the foundation-model id', () => {
    expect(baseModelIdOf('us.anthropic.claude-3-5-haiku-20241022-v1:0')).toBe(
      'anthropic.claude-3-5-haiku-20241022-v1:0',
    );
    expect(baseModelIdOf('global.anthropic.claude-sonnet-4-20250514-v1:0')).toBe(
      'anthropic.claude-sonnet-4-20250514-v1:0',
    );
    expect(
      baseModelIdOf(
        'arn:aws:bedrock:us-east-1:123456789012:inference-profile/eu.amazon.nova-lite-v1:0',
      ),
    ).toBe('amazon.nova-lite-v1:0');
    expect(
      baseModelIdOf('arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-1-70b-instruct-v1:0'),
    ).toBe('meta.llama3-1-70b-instruct-v1:0');
  });

  it.each([
    [
      'us.anthropic.claude-3-5-sonnet-20241022-v2:0',
      'anthropic-claude',
      200_000,
      { systemPrompt: true, tools: true, toolsWhileStreaming: true, images: true },
    ],
    [
      'anthropic.claude-3-5-haiku-20241022-v1:0',
      'anthropic-claude',
      200_000,
      { images: false, tools: true },
    ],
    [
      'amazon.nova-micro-v1:0',
      'amazon-nova',
      128_000,
      { images: false, documents: false, tools: true },
    ],
    ['amazon.nova-pro-v1:0', 'amazon-nova', 300_000, { images: true }],
    [
      'amazon.titan-text-express-v1',
      'amazon-titan-text',
      8_000,
      { systemPrompt: false, tools: false },
    ],
    [
      'meta.llama2-13b-chat-v1',
      'meta-llama-2',
      4_096,
      { systemPrompt: true, tools: false, images: false },
    ],
    [
      'us.meta.llama3-1-8b-instruct-v1:0',
      'meta-llama-3',
      128_000,
      { tools: true, toolsWhileStreaming: false, images: false },
    ],
    [
      'meta.llama3-2-90b-instruct-v1:0',
      'meta-llama-3',
      128_000,
      { images: true, toolsWhileStreaming: false },
    ],
    ['mistral.mistral-7b-instruct-v0:2', 'mistral', 32_000, { systemPrompt: false, tools: false }],
    [
      'mistral.mistral-large-2407-v1:0',
      'mistral-large',
      128_000,
      { systemPrompt: true, tools: true, toolsWhileStreaming: false },
    ],
    [
      'cohere.command-r-plus-v1:0',
      'cohere-command-r',
      128_000,
      { tools: true, toolsWhileStreaming: false },
    ],
  ])('%s → %s', (modelId, family, contextWindow, capabilities) => {
    const info = registry.resolve(modelId);
    expect(info).toMatchObject({ family, contextWindow, known: true, capabilities });
  });

  it('gives unknown ids conservative defaults', () => {
    expect(registry.resolve('acme.mystery-model-v1')).toStrictEqual({
      modelId: 'acme.mystery-model-v1',
      baseModelId: 'acme.mystery-model-v1',
      family: 'unknown',
      contextWindow: 8_000,
      capabilities: {
        systemPrompt: false,
        tools: false,
        toolsWhileStreaming: false,
        images: false,
        documents: false,
        promptCaching: false,
      },
      known: false,
    });
  });

  it('takes registered entries before the built-in ones', () => {
    const custom = new ModelRegistry().register({
      match: /^acme\./,
      family: 'acme',
      contextWindow: 1000,
      capabilities: { images: false },
    });
    expect(custom.resolve('acme.x')).toMatchObject({
      family: 'acme',
      contextWindow: 1000,
      known: true,
      capabilities: { systemPrompt: true, images: false },
    });
    expect(registry.resolve('acme.x').known).toBe(false);
  });

  it('answers from memory until an entry is registered, and its answers are read-only', () => {
    const custom = new ModelRegistry();
    const first = custom.resolve('acme.y');
    expect(first.known).toBe(false);
    expect(custom.resolve('acme.y')).toBe(first);
    expect(() => {
      (first.capabilities as { images: boolean }).images = true;
    }).toThrow(TypeError);
    custom.register({ match: /^acme\./, family: 'acme', contextWindow: 2000, capabilities: {} });
    expect(custom.resolve('acme.y')).toMatchObject({ family: 'acme', known: true });
  });
});
