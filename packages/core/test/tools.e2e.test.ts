// Tool-using turns end to end: zod-typed tools, the tool loop, the real AWS SDK client over HTTP
// against the local server answered by the scripted model.
import type { Message, ToolResultBlock } from '@aws-sdk/client-bedrock-runtime';
import {
  type LocalServer,
  type ScriptedRuntime,
  scriptedRuntime,
  startServer,
} from '@bedrock-converse/local';
import { bedrockRuntime, type ConverseInput } from '@bedrock-converse/runtime';
import { defineTool, type FunctionDefinition } from '@bedrock-converse/tools';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ConverseClient,
  type ConverseClientOptions,
  FunctionCallingConverseClient,
  MaxStepsExceeded,
  MaxTokensReached,
  type TurnStreamEvent,
  ValidationException,
} from '../src/index.js';

let server: LocalServer;
let model: ScriptedRuntime;

beforeAll(async () => {
  model = scriptedRuntime({ chunking: { toolInputChunkSize: 5 } });
  server = await startServer({ runtime: model });
});
afterAll(() => server.close());
beforeEach(() => server.faults.clear());

const log: string[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const weather = defineTool({
  name: 'get_weather',
  description: 'Current weather for a city.',
  input: z.object({
    city: z.string().describe('City name'),
    unit: z.enum(['celsius', 'fahrenheit']).default('celsius'),
    detail: z
      .object({ hourly: z.boolean(), hours: z.array(z.number().int()).optional() })
      .optional()
      .describe('How much detail to return'),
  }),
  run: async ({ city, unit }) => {
    log.push(`start ${city}`);
    await sleep(30);
    log.push(`end ${city}`);
    if (city === 'Atlantis') throw new Error(`no weather station in ${city}`);
    return { city, temperature: unit === 'celsius' ? 21 : 70, unit };
  },
});
const convert = defineTool({
  name: 'convert_units',
  description: 'Converts a temperature.',
  input: z.object({ value: z.number(), to: z.enum(['celsius', 'fahrenheit']) }),
  run: ({ value, to }) => (to === 'fahrenheit' ? value * 1.8 + 32 : (value - 32) / 1.8),
});
const hang = defineTool({
  name: 'hang',
  description: 'Never answers.',
  input: z.object({}),
  timeoutMs: 50,
  run: () => new Promise(() => {}),
});

function client(options: Partial<ConverseClientOptions> = {}) {
  return new ConverseClient({
    modelId: 'local.scripted',
    runtime: bedrockRuntime(server.clientConfig),
    retry: { maxAttempts: 2, baseDelayMs: 1 },
    tools: [weather, convert, hang],
    ...options,
  });
}

const requestsSince = (since: number) =>
  server.requests.slice(since).map((r) => r.body as ConverseInput);
const toolResults = (message: Message | undefined): ToolResultBlock[] =>
  (message?.content ?? []).flatMap((b) => (b.toolResult ? [b.toolResult] : []));

describe('tool-using turns through the real SDK path', () => {
  it('sends a zod-built toolSpec to the server unchanged, and the server accepts it', async () => {
    model.enqueue('No tools needed.');
    const c = client();
    const id = await c.createConversation();
    const seen = server.requests.length;
    await c.sendMessage({ conversationId: id, message: 'Hi' });
    const [body] = requestsSince(seen);
    expect(body!.toolConfig!.tools![0]).toStrictEqual({ toolSpec: weather.spec });
    expect(server.requests.at(-1)!.status).toBe(200);
    const json = weather.spec.inputSchema!.json as { properties: Record<string, object> };
    expect(Object.keys(json.properties)).toStrictEqual(['city', 'unit', 'detail']);
  });

  it('runs a two-step loop and stores every message of it as one turn', async () => {
    model.enqueue(
      { toolUses: [{ name: 'get_weather', input: { city: 'Lisbon' }, toolUseId: 'w1' }] },
      { toolUses: [{ name: 'convert_units', input: { value: 20, to: 'fahrenheit' } }] },
      'It is 21 °C (69.8 °F) in Lisbon.',
    );
    const c = client();
    const id = await c.createConversation();
    const seen = server.requests.length;
    const result = await c.sendMessageWithFunctions({
      conversationId: id,
      message: 'Weather in Lisbon, in Fahrenheit?',
    });

    expect(result.response).toBe('It is 21 °C (69.8 °F) in Lisbon.');
    expect(result.functionCalls.map((call) => [call.name, call.output])).toStrictEqual([
      ['get_weather', { city: 'Lisbon', temperature: 21, unit: 'celsius' }],
      ['convert_units', 68],
    ]);
    expect(result.steps).toBe(3);
    const { messages, usage } = await c.getConversationHistory(id);
    expect(messages.map((m) => [m.role, Object.keys(m.content![0]!)[0]])).toStrictEqual([
      ['user', 'text'],
      ['assistant', 'toolUse'],
      ['user', 'toolResult'],
      ['assistant', 'toolUse'],
      ['user', 'toolResult'],
      ['assistant', 'text'],
    ]);
    expect(toolResults(messages[2])).toStrictEqual([
      {
        toolUseId: 'w1',
        status: 'success',
        content: [{ json: { city: 'Lisbon', temperature: 21, unit: 'celsius' } }],
      },
    ]);
    // Three model calls, each seeing the exchange so far; usage totals add all three.
    const bodies = requestsSince(seen);
    expect(bodies.map((b) => b.messages!.length)).toStrictEqual([1, 3, 5]);
    expect(usage.inputTokens).toBe(result.usage.inputTokens);
    expect(result.usage.inputTokens).toBeGreaterThan(0);
  });

  it('runs three calls of one message in parallel', async () => {
    log.length = 0;
    model.enqueue(
      {
        toolUses: ['Oslo', 'Rome', 'Lima'].map((city) => ({
          name: 'get_weather',
          input: { city },
        })),
      },
      'Three cities done.',
    );
    const c = client();
    const id = await c.createConversation();
    const result = await c.sendMessageWithFunctions({ conversationId: id, message: 'Three?' });
    expect(result.functionCalls).toHaveLength(3);
    // All three started before any of them ended.
    expect(log.slice(0, 3).every((line) => line.startsWith('start'))).toBe(true);
    expect(toolResults((await c.getConversationHistory(id)).messages[2])).toHaveLength(3);
  });

  it('sends unknown tools, invalid input, thrown errors and timeouts back as error results', async () => {
    model.enqueue(
      {
        toolUses: [
          { name: 'teleport', input: { to: 'Mars' } },
          { name: 'convert_units', input: { value: 'hot', to: 'kelvin' } },
          { name: 'get_weather', input: { city: 'Atlantis' } },
          { name: 'hang', input: {} },
        ],
      },
      'Sorry, none of that worked.',
    );
    const c = client();
    const id = await c.createConversation();
    const seen = server.requests.length;
    const result = await c.sendMessageWithFunctions({ conversationId: id, message: 'Try all' });

    expect(result.response).toBe('Sorry, none of that worked.');
    const sent = toolResults(requestsSince(seen)[1]!.messages!.at(-1));
    expect(sent.map((r) => r.status)).toStrictEqual(['error', 'error', 'error', 'error']);
    const texts = sent.map((r) => (r.content![0] as { text: string }).text);
    expect(texts[0]).toMatch(/no tool named "teleport"/);
    expect(texts[1]).toMatch(/Invalid input for tool "convert_units"/);
    expect(texts[2]).toMatch(/no weather station in Atlantis/);
    expect(texts[3]).toMatch(/did not finish within 50 ms/);
    expect(result.functionCalls.every((call) => call.error !== undefined)).toBe(true);
  });

  it('stops an endless loop at maxSteps with MaxStepsExceeded, history unchanged', async () => {
    const endless = scriptedRuntime({
      respond: () => ({ toolUses: [{ name: 'get_weather', input: { city: 'Oslo' } }] }),
    });
    const local = await startServer({ runtime: endless });
    try {
      const c = client({ runtime: bedrockRuntime(local.clientConfig), maxSteps: 3 });
      const id = await c.createConversation();
      await expect(
        c.sendMessageWithFunctions({ conversationId: id, message: 'Loop' }),
      ).rejects.toBeInstanceOf(MaxStepsExceeded);
      expect(local.requests).toHaveLength(3);
      expect((await c.getConversationHistory(id)).messages).toStrictEqual([]);
    } finally {
      await local.close();
    }
  });

  it('never runs a tool call the model made as it hit max_tokens', async () => {
    log.length = 0;
    model.enqueue({
      text: 'Let me check',
      toolUses: [{ name: 'get_weather', input: { city: 'Oslo' } }],
      stopReason: 'max_tokens',
    });
    const c = client();
    const id = await c.createConversation();
    await expect(c.send({ conversationId: id, message: 'Weather?' })).rejects.toBeInstanceOf(
      MaxTokensReached,
    );
    expect(log).toStrictEqual([]);
    expect((await c.getConversationHistory(id)).messages).toStrictEqual([]);
  });

  it('passes toolChoice through', async () => {
    model.enqueue('Fine.', 'Fine.');
    const c = client({ toolChoice: 'any' });
    const id = await c.createConversation();
    const seen = server.requests.length;
    await c.sendMessage({ conversationId: id, message: 'a' });
    await c.sendMessage({
      conversationId: id,
      message: 'b',
      toolChoice: { tool: 'convert_units' },
    });
    expect(requestsSince(seen).map((b) => b.toolConfig!.toolChoice)).toStrictEqual([
      { any: {} },
      { tool: { name: 'convert_units' } },
    ]);
    await expect(
      c.send({ conversationId: id, message: 'c', toolChoice: { tool: 'x' } }),
    ).rejects.toBeInstanceOf(ValidationException);
  });

  it('drives the loop from a stream: tool events, tool results, then the answer', async () => {
    model.enqueue(
      { text: 'Checking.', toolUses: [{ name: 'get_weather', input: { city: 'Oslo' } }] },
      'It is 21 °C in Oslo.',
    );
    const c = client();
    const id = await c.createConversation();
    const events: TurnStreamEvent[] = [];
    const stream = c.streamEvents({ conversationId: id, message: 'Oslo?' });
    for await (const event of stream) events.push(event);

    const kinds = events
      .map((e) => e.type)
      .filter((t) => t !== 'textDelta' && t !== 'toolUseDelta');
    expect(kinds).toStrictEqual([
      'messageStart',
      'toolUseStart',
      'toolUse',
      'messageStop',
      'metadata',
      'toolResult',
      'messageStart',
      'messageStop',
      'metadata',
    ]);
    const text = events.flatMap((e) => (e.type === 'textDelta' ? [e.text] : [])).join('');
    expect(text).toBe('Checking.It is 21 °C in Oslo.');
    expect((await stream.result).toolCalls).toHaveLength(1);
    expect((await c.getConversationHistory(id)).messages).toHaveLength(4);
  });

  it('refuses a raw toolConfig together with tools', async () => {
    const c = client();
    const id = await c.createConversation();
    await expect(
      c.send({
        conversationId: id,
        message: 'x',
        toolConfig: { tools: [{ toolSpec: weather.spec }] },
      }),
    ).rejects.toThrow(/not both/);
  });
});

describe("the seed's plain function form", () => {
  const functions: FunctionDefinition[] = [
    {
      name: 'get_weather',
      description: 'Get the current weather for a location.',
      parameters: {
        type: 'object',
        properties: { location: { type: 'string', description: 'City' } },
        required: ['location'],
      },
    },
  ];

  it('FunctionCallingConverseClient runs functions from a functionMap', async () => {
    model.enqueue(
      { toolUses: [{ name: 'get_weather', input: { location: 'Paris' } }] },
      'Sunny in Paris.',
    );
    const c = new FunctionCallingConverseClient({
      modelId: 'local.scripted',
      runtime: bedrockRuntime(server.clientConfig),
      functions,
    });
    const id = await c.createConversation();
    const result = await c.sendMessageWithFunctions({
      conversationId: id,
      message: 'Weather in Paris?',
      functionMap: { get_weather: ({ location }) => `Sunny, 24 °C in ${String(location)}` },
    });
    expect(result.response).toBe('Sunny in Paris.');
    expect(result.functionCalls).toHaveLength(1);
    expect(result.functionCalls[0]).toMatchObject({
      name: 'get_weather',
      input: { location: 'Paris' },
      output: 'Sunny, 24 °C in Paris',
    });
    expect(result.functionCalls[0]!.durationMs).toBeGreaterThanOrEqual(0);
  });
});
