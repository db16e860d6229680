// The real-model runtime (node-llama-cpp with ../shared/models/stories260K.gguf) answering through
// the local server, via the real AWS SDK client and ConverseClient.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type LlamaRuntime,
  type LocalServer,
  llamaRuntime,
  plainPrompt,
  startServer,
} from '@bedrock-converse/local';
import { bedrockRuntime } from '@bedrock-converse/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConverseClient } from '../src/index.js';

const modelPath =
  process.env.BEDROCK_CONVERSE_TEST_MODEL ??
  fileURLToPath(new URL('../../../../shared/models/stories260K.gguf', import.meta.url));
const present = existsSync(modelPath);
if (!present) {
  console.warn(
    `Skipping the real-model tests: ${modelPath} is absent (it ships in this project's shared/ folder; set BEDROCK_CONVERSE_TEST_MODEL to another GGUF file).`,
  );
}

describe.skipIf(!present)('the real local model through the server', () => {
  let runtime: LlamaRuntime;
  let server: LocalServer;
  let tokenize: (text: string) => number;

  beforeAll(async () => {
    runtime = llamaRuntime({ modelPath, threads: 1, contextSize: 512, seed: 7 });
    server = await startServer({ runtime });
    // An independent tokenizer: node-llama-cpp loaded by the test itself, not by the runtime.
    const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
    const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
    const model = await llama.loadModel({ modelPath });
    tokenize = (text) => model.tokenize(text, false).length + 1; // + BOS
  });
  afterAll(async () => {
    await server?.close();
    await runtime?.dispose();
  });

  it('answers a two-turn conversation with real token counts, honouring maxTokens and stopSequences', async () => {
    const client = new ConverseClient({
      modelId: 'local.stories260K',
      runtime: bedrockRuntime(server.clientConfig),
      inferenceConfig: { temperature: 0 },
    });
    const id = await client.createConversation({ systemPrompt: 'A short story.' });

    const first = await client.send({
      conversationId: id,
      message: 'Once upon a time',
      inferenceConfig: { maxTokens: 12 },
    });
    expect(first.text.trim()).not.toBe('');
    expect(first.stopReason).toBe('max_tokens');
    expect(first.usage.outputTokens).toBe(12);
    const firstPrompt = plainPrompt('A short story.', [
      { role: 'user', content: [{ text: 'Once upon a time' }] },
    ]);
    expect(first.usage.inputTokens).toBe(tokenize(firstPrompt));
    expect(first.usage.totalTokens).toBe(first.usage.inputTokens! + 12);

    const second = await client.send({
      conversationId: id,
      message: 'Then the dog',
      inferenceConfig: { maxTokens: 200, stopSequences: ['.'] },
    });
    expect(second.stopReason).toBe('stop_sequence');
    expect(second.text.trim()).not.toBe('');
    expect(second.text).not.toContain('.');
    expect(second.usage.outputTokens).toBeGreaterThanOrEqual(tokenize(second.text) - 1);
    expect(second.usage.outputTokens).toBeLessThan(200);

    const history = await client.getConversationHistory(id);
    expect(history.messages.map((m) => m.role)).toStrictEqual([
      'user',
      'assistant',
      'user',
      'assistant',
    ]);
    // The second prompt is the whole history in the plain template, evaluated from scratch.
    expect(second.usage.inputTokens).toBe(
      tokenize(plainPrompt('A short story.', history.messages.slice(0, 3))),
    );
    expect(history.usage.inputTokens).toBe(first.usage.inputTokens! + second.usage.inputTokens!);
  });

  it('streams a reply token by token: the chunks join into the stored text', async () => {
    const client = new ConverseClient({
      modelId: 'local.stories260K',
      runtime: bedrockRuntime(server.clientConfig),
      inferenceConfig: { temperature: 0 },
    });
    const id = await client.createConversation();
    const stream = client.sendMessageStreaming({
      conversationId: id,
      message: 'Once upon a time',
      inferenceConfig: { maxTokens: 10 },
    });
    const chunks: string[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const result = await stream.result;

    expect(result.stopReason).toBe('max_tokens');
    expect(result.usage.outputTokens).toBe(10);
    // One chunk per generated token (a token that ends inside a multi-byte character waits for
    // the next one), so about as many chunks as tokens.
    expect(chunks.length).toBeGreaterThanOrEqual(8);
    expect(chunks.length).toBeLessThanOrEqual(10);
    const stored = (await client.getConversationHistory(id)).messages[1]!;
    expect(stored.content).toStrictEqual([{ text: chunks.join('') }]);
  });
});
