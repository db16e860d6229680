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
import { bedrockRuntime, MaxStepsExceeded } from '@bedrock-converse/runtime';
import { defineTool, Toolset } from '@bedrock-converse/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
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

  const tools = new Toolset([
    defineTool({
      name: 'get_weather',
      description: 'Current weather for a city.',
      input: z.object({
        city: z.string().min(1),
        unit: z.enum(['celsius', 'fahrenheit']),
        days: z.number().int().optional(),
      }),
      run: ({ city, unit }) => `20 degrees ${unit} in ${city}`,
    }),
    defineTool({
      name: 'convert_units',
      description: 'Converts a temperature.',
      input: z.object({ value: z.number(), to: z.enum(['celsius', 'fahrenheit']) }),
      run: ({ value }) => value,
    }),
  ]);

  it('calls tools through a grammar: every turn is text or a toolUse that passes its zod schema', async () => {
    const runtime = bedrockRuntime(server.clientConfig);
    const prompts = [
      'What is the weather in Paris?',
      'Convert 20 to fahrenheit',
      'Hello',
      'Tell me',
    ];
    for (const [i, text] of prompts.entries()) {
      for (const toolChoice of [{ auto: {} }, { any: {} }]) {
        const result = await runtime.converse({
          modelId: 'local.stories260K',
          messages: [{ role: 'user', content: [{ text }] }],
          toolConfig: { ...tools.toolConfig(), toolChoice },
          inferenceConfig: { maxTokens: 300, temperature: 0.5 + i / 10 },
        });
        const content = result.output?.message?.content ?? [];
        expect(content).toHaveLength(1);
        const block = content[0]!;
        if (block.toolUse) {
          expect(result.stopReason).toBe('tool_use');
          const tool = tools.get(block.toolUse.name!);
          expect(tool, `unknown tool ${block.toolUse.name}`).toBeDefined();
          expect(tool!.parse(block.toolUse.input)).toMatchObject({ ok: true });
        } else {
          expect(toolChoice.any, 'toolChoice any must call a tool').toBeUndefined();
          expect(typeof block.text).toBe('string');
          expect(result.stopReason).toBe('end_turn');
        }
      }
    }
  });

  it('runs a tool turn end to end: whatever it stores is a valid exchange', async () => {
    const client = new ConverseClient({
      modelId: 'local.stories260K',
      runtime: bedrockRuntime(server.clientConfig),
      tools: [tools.get('get_weather')!, tools.get('convert_units')!],
      maxSteps: 3,
      inferenceConfig: { maxTokens: 120 },
    });
    const id = await client.createConversation();
    try {
      const result = await client.sendMessageWithFunctions({
        conversationId: id,
        message: 'What is the weather in Oslo?',
        toolChoice: 'any',
      });
      // With toolChoice any the first answer is a call, which ran without an error.
      expect(result.functionCalls.length).toBeGreaterThan(0);
      expect(result.functionCalls[0]!.error).toBeUndefined();
    } catch (error) {
      // A tiny story model may keep calling tools; the loop then stops cleanly.
      expect(error).toBeInstanceOf(MaxStepsExceeded);
      expect((await client.getConversationHistory(id)).messages).toStrictEqual([]);
    }
  });
});
