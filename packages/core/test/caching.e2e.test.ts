// Caching through the real SDK path: the opt-in response cache, and Bedrock prompt caching with
// checkpoints and cache usage reported by the server.
import type { ConverseRequest } from '@aws-sdk/client-bedrock-runtime';
import { type LocalServer, scriptedRuntime, startServer } from '@bedrock-converse/local';
import { bedrockRuntime, MemoryResponseCache } from '@bedrock-converse/runtime';
import { defineTool } from '@bedrock-converse/tools';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConverseClient, type ConverseClientOptions } from '../src/index.js';

let server: LocalServer;
beforeAll(async () => {
  server = await startServer({
    runtime: scriptedRuntime({
      respond: (request) =>
        request.toolConfig && !JSON.stringify(request.messages).includes('toolResult')
          ? { toolUses: [{ name: 'lookup', input: { q: 'x' } }] }
          : 'The same answer every time.',
    }),
  });
});
afterAll(() => server.close());
beforeEach(() => server.faults.clear());

const client = (options: Partial<ConverseClientOptions> = {}) =>
  new ConverseClient({
    modelId: 'local.scripted',
    runtime: bedrockRuntime(server.clientConfig),
    retry: false,
    ...options,
  });
const lookup = defineTool({
  name: 'lookup',
  description: 'Looks something up.',
  input: z.object({ q: z.string() }),
  run: () => 'found',
});

describe('the response cache', () => {
  it('answers an identical request from the cache: one server call', async () => {
    const c = client({ cache: new MemoryResponseCache() });
    const seen = server.requests.length;
    const answers = [];
    for (let i = 0; i < 3; i++) {
      const id = await c.createConversation({ systemPrompt: 'Be brief.' });
      answers.push(await c.send({ conversationId: id, message: 'Same question' }));
    }
    expect(server.requests.length - seen).toBe(1);
    expect(answers.map((a) => a.text)).toStrictEqual(Array(3).fill('The same answer every time.'));
    // A cached answer used no tokens.
    expect(answers[1]!.usage.totalTokens).toBe(0);
    // A different request is not a hit.
    const id = await c.createConversation({ systemPrompt: 'Be brief.' });
    await c.send({ conversationId: id, message: 'Another question' });
    expect(server.requests.length - seen).toBe(2);
  });

  it('replays a cached stream, and never caches errors or tool-use turns', async () => {
    const cache = new MemoryResponseCache();
    const c = client({ cache });
    const seen = server.requests.length;
    for (let i = 0; i < 2; i++) {
      const id = await c.createConversation();
      const chunks: string[] = [];
      for await (const chunk of c.sendMessageStreaming({
        conversationId: id,
        message: 'Stream it',
      }))
        chunks.push(chunk);
      expect(chunks.join('')).toBe('The same answer every time.');
    }
    expect(server.requests.length - seen).toBe(1);

    server.faults.add({ kind: 'http-error', exception: 'ModelErrorException' });
    const failing = await c.createConversation();
    await expect(c.send({ conversationId: failing, message: 'Fails once' })).rejects.toThrow();
    await c.send({ conversationId: failing, message: 'Fails once' });
    expect(server.requests.length - seen).toBe(3);

    const withTools = client({ cache, tools: [lookup] });
    for (let i = 0; i < 2; i++) {
      const id = await withTools.createConversation();
      await withTools.send({ conversationId: id, message: 'Use the tool' });
    }
    // Tool-use answers are never cached: both turns ask the server for the tool call, and their
    // follow-ups (with new tool ids) are different requests.
    expect(server.requests.length - seen).toBe(3 + 4);
  });
});

describe('prompt caching', () => {
  it('places checkpoints after the system prompt, the tools and the history prefix; usage reports cache tokens', async () => {
    const c = client({ promptCaching: true, tools: [lookup] });
    const system = 'You are a careful assistant with a long, stable system prompt. '.repeat(5);
    const first = await c.createConversation({ systemPrompt: system });
    const a = await c.send({ conversationId: first, message: 'Hello', tools: false });
    const sent = server.requests.at(-1)!.body as ConverseRequest;
    expect(sent.system!.at(-1)).toStrictEqual({ cachePoint: { type: 'default' } });
    expect(a.usage.cacheWriteInputTokens).toBeGreaterThan(0);
    expect(a.usage.cacheReadInputTokens).toBe(0);

    // Another conversation with the same system prompt reads it from the cache.
    const second = await c.createConversation({ systemPrompt: system });
    const b = await c.send({ conversationId: second, message: 'Hi there', tools: false });
    expect(b.usage.cacheReadInputTokens).toBe(a.usage.cacheWriteInputTokens);

    // A follow-up puts a checkpoint after the history before the newest user turn; with tools,
    // one after the tools too.
    const seen = server.requests.length;
    await c.send({ conversationId: second, message: 'Use the tool' });
    const withTools = server.requests.slice(seen)[0]!.body as ConverseRequest;
    expect(withTools.toolConfig!.tools!.at(-1)).toStrictEqual({ cachePoint: { type: 'default' } });
    expect(withTools.messages!.at(-2)!.content!.at(-1)).toStrictEqual({
      cachePoint: { type: 'default' },
    });
    const history = await c.getConversationHistory(second);
    expect(JSON.stringify(history.messages)).not.toContain('cachePoint');
    expect(history.usage.cacheReadInputTokens).toBeGreaterThan(0);
  });

  it('leaves checkpoints out for a model without prompt caching', async () => {
    const c = client({ promptCaching: true, modelId: 'meta.llama3-8b-instruct-v1:0' });
    const id = await c.createConversation({ systemPrompt: 'Be brief.' });
    await c.send({ conversationId: id, message: 'Hello' });
    expect(JSON.stringify(server.requests.at(-1)!.body)).not.toContain('cachePoint');
  });
});
