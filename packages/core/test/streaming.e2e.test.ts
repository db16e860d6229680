// Streaming turns end to end: the real AWS SDK client, over real HTTP, against the local server.
import type { ToolConfiguration } from '@aws-sdk/client-bedrock-runtime';
import {
  type Fault,
  type LocalServer,
  type ScriptedRuntime,
  type StreamExceptionName,
  scriptedRuntime,
  startServer,
} from '@bedrock-converse/local';
import {
  AbortError,
  bedrockRuntime,
  ConnectionError,
  ConverseError,
  InternalServerException,
  ModelStreamErrorException,
  ServiceUnavailableException,
  ThrottlingException,
  ValidationException,
} from '@bedrock-converse/runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ConverseClient,
  ModelRegistry,
  StreamingConverseClient,
  type TurnStreamEvent,
} from '../src/index.js';

let server: LocalServer;
let model: ScriptedRuntime;

beforeAll(async () => {
  model = scriptedRuntime({ chunking: { textChunkSize: 3 } });
  server = await startServer({ runtime: model });
});
afterAll(() => server.close());
beforeEach(() => server.faults.clear());

const transports = [
  { name: 'HTTP/2 (the SDK default handler)', handler: () => undefined },
  { name: 'HTTP/1.1 (NodeHttpHandler)', handler: () => new NodeHttpHandler() },
];

function clientOn(
  target: LocalServer,
  options: {
    handler?: NodeHttpHandler | undefined;
    registry?: ModelRegistry;
    modelId?: string;
  } = {},
) {
  const runtime = bedrockRuntime({
    ...target.clientConfig,
    ...(options.handler ? { requestHandler: options.handler } : {}),
  });
  return new ConverseClient({
    modelId: options.modelId ?? 'local.scripted',
    runtime,
    retry: { maxAttempts: 3, baseDelayMs: 1, throttleBaseDelayMs: 2 },
    ...(options.registry ? { registry: options.registry } : {}),
  });
}

/** Requests the server received for one conversation's model id since `since`. */
const streamRequests = (target: LocalServer, since: number) =>
  target.requests.slice(since).filter((r) => r.route === 'converse-stream');

describe.each(transports)('streaming over $name', ({ handler }) => {
  it('the chunks join into exactly the stored text; usage comes from the metadata event', async () => {
    const reply = 'Streaming, one small piece at a time — with ünïcödé and 🌊 too.';
    model.enqueue({ text: reply, usage: { inputTokens: 11, outputTokens: 7, totalTokens: 18 } });
    const client = clientOn(server, { handler: handler() });
    const id = await client.createConversation();

    const chunks: string[] = [];
    for await (const chunk of client.sendMessageStreaming({ conversationId: id, message: 'Go' })) {
      chunks.push(chunk);
    }

    expect(chunks.length).toBeGreaterThan(5);
    const history = await client.getConversationHistory(id);
    expect(history.messages).toHaveLength(2);
    expect(history.messages[1]).toStrictEqual({ role: 'assistant', content: [{ text: reply }] });
    expect(chunks.join('')).toBe(reply);
    expect(history.usage).toMatchObject({ inputTokens: 11, outputTokens: 7, totalTokens: 18 });
  });

  it('streamEvents yields the typed events in order, metadata last, and result gives the reply', async () => {
    model.enqueue({ text: 'Done thinking.', reasoning: 'Let me see.' });
    const client = clientOn(server, { handler: handler() });
    const id = await client.createConversation();
    const stream = client.streamEvents({ conversationId: id, message: 'Think' });
    const events: TurnStreamEvent[] = [];
    for await (const event of stream) events.push(event);

    const types = events.map((e) => e.type);
    expect(types[0]).toBe('messageStart');
    expect(types.slice(-2)).toStrictEqual(['messageStop', 'metadata']);
    const reasoning = events.flatMap((e) => (e.type === 'reasoningDelta' ? [e.delta] : []));
    expect(reasoning.map((d) => d.text ?? '').join('')).toBe('Let me see.');
    expect(reasoning.at(-1)).toStrictEqual({ signature: 'scripted' });
    const result = await stream.result;
    expect(result.text).toBe('Done thinking.');
    expect(result.stopReason).toBe('end_turn');
    const metadata = events.at(-1) as Extract<TurnStreamEvent, { type: 'metadata' }>;
    expect(result.usage).toStrictEqual(metadata.usage);
    const stored = (await client.getConversationHistory(id)).messages[1]!;
    expect(stored.content).toStrictEqual([
      { reasoningContent: { reasoningText: { text: 'Let me see.', signature: 'scripted' } } },
      { text: 'Done thinking.' },
    ]);
  });
});

describe.each([1, 2, 7])('a tool-use block streamed in %i-character fragments', (size) => {
  let local: LocalServer;
  let toolModel: ScriptedRuntime;
  beforeAll(async () => {
    toolModel = scriptedRuntime({ chunking: { toolInputChunkSize: size } });
    local = await startServer({ runtime: toolModel });
  });
  afterAll(() => local.close());

  it('comes out as one toolUse event with its parsed input', async () => {
    const input = {
      city: 'Zürich',
      days: [1, 2, 3],
      nested: { ok: true, note: 'a "quoted" word' },
    };
    toolModel.enqueue({ text: 'Let me check.', toolUses: [{ name: 'get_weather', input }] });
    const client = clientOn(local);
    const id = await client.createConversation();
    const events: TurnStreamEvent[] = [];
    for await (const e of client.streamEvents({ conversationId: id, message: 'Weather?' })) {
      events.push(e);
    }

    const json = JSON.stringify(input);
    const deltas = events.filter((e) => e.type === 'toolUseDelta');
    expect(deltas).toHaveLength(Math.ceil(Array.from(json).length / size));
    expect(deltas.map((d) => d.input).join('')).toBe(json);
    const uses = events.filter((e) => e.type === 'toolUse');
    expect(uses).toHaveLength(1);
    expect(uses[0]).toMatchObject({ name: 'get_weather', input });
    const start = events.find((e) => e.type === 'toolUseStart');
    expect(start).toMatchObject({ name: 'get_weather', toolUseId: uses[0]!.toolUseId });
    expect(events.find((e) => e.type === 'messageStop')).toMatchObject({ stopReason: 'tool_use' });
    const stored = (await client.getConversationHistory(id)).messages[1]!;
    expect(stored.content?.[1]).toStrictEqual({
      toolUse: { toolUseId: uses[0]!.toolUseId, name: 'get_weather', input },
    });
  });
});

describe('cancelling a stream', () => {
  let slow: LocalServer;
  let slowModel: ScriptedRuntime;
  beforeAll(async () => {
    slowModel = scriptedRuntime({ chunking: { textChunkSize: 2 }, chunkDelayMs: 15 });
    slow = await startServer({ runtime: slowModel });
  });
  afterAll(() => slow.close());

  const longReply = 'This reply is long enough to take a while to stream in two-letter chunks.';

  it.each(transports)(
    'abort after the second chunk ($name): AbortError, connection closed at once, history unchanged',
    async ({ handler }) => {
      const client = clientOn(slow, { handler: handler() });
      const id = await client.createConversation();
      slowModel.enqueue('First answer.');
      await client.sendMessage({ conversationId: id, message: 'First' });
      const before = await client.getConversationHistory(id);
      slowModel.enqueue(longReply);
      const seen = slow.requests.length;

      const controller = new AbortController();
      const chunks: string[] = [];
      let abortedAt = 0;
      const loop = async () => {
        for await (const chunk of client.sendMessageStreaming({
          conversationId: id,
          message: 'Second',
          signal: controller.signal,
        })) {
          chunks.push(chunk);
          if (chunks.length === 2) {
            abortedAt = performance.now();
            controller.abort();
          }
        }
      };
      const error = await loop().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AbortError);
      expect(chunks).toHaveLength(2);

      const request = streamRequests(slow, seen)[0]!;
      await expect.poll(() => request.closedEarlyAt).toBeDefined();
      expect(request.completed).toBe(false);
      expect(request.closedEarlyAt! - abortedAt).toBeLessThan(100);
      expect(await client.getConversationHistory(id)).toStrictEqual(before);
    },
  );

  it.each(transports)(
    'break out of for await ($name): returns cleanly, connection closed at once, history unchanged',
    async ({ handler }) => {
      const client = clientOn(slow, { handler: handler() });
      const id = await client.createConversation();
      const before = await client.getConversationHistory(id);
      slowModel.enqueue(longReply);
      const seen = slow.requests.length;

      const chunks: string[] = [];
      let brokeAt = 0;
      for await (const chunk of client.sendMessageStreaming({
        conversationId: id,
        message: 'Hi',
      })) {
        chunks.push(chunk);
        if (chunks.length === 2) {
          brokeAt = performance.now();
          break;
        }
      }
      expect(chunks).toHaveLength(2);
      const request = streamRequests(slow, seen)[0]!;
      await expect.poll(() => request.closedEarlyAt).toBeDefined();
      expect(request.closedEarlyAt! - brokeAt).toBeLessThan(100);
      expect(await client.getConversationHistory(id)).toStrictEqual(before);

      // The conversation goes on normally afterwards.
      slowModel.enqueue('Still here.');
      expect(await client.sendMessage({ conversationId: id, message: 'Again' })).toBe(
        'Still here.',
      );
      expect((await client.getConversationHistory(id)).messages).toHaveLength(2);
    },
  );

  it('a signal aborted while the turn waits in the queue: it never runs', async () => {
    const client = clientOn(slow);
    const id = await client.createConversation();
    slowModel.enqueue(longReply);
    const first = client.sendMessage({ conversationId: id, message: 'First' });
    const controller = new AbortController();
    const seen = slow.requests.length;
    const second = client.send({
      conversationId: id,
      message: 'Second',
      signal: controller.signal,
    });
    controller.abort();
    await expect(second).rejects.toBeInstanceOf(AbortError);
    expect(await first).toBe(longReply);
    expect(slow.requests.length - seen).toBe(1);
    expect((await client.getConversationHistory(id)).messages).toHaveLength(2);
  });

  it('an already aborted signal fails at once without a request', async () => {
    const client = clientOn(slow);
    const id = await client.createConversation();
    const seen = slow.requests.length;
    const stream = client.sendMessageStreaming({
      conversationId: id,
      message: 'Hi',
      signal: AbortSignal.abort(),
    });
    await expect(stream.next()).rejects.toBeInstanceOf(AbortError);
    expect(slow.requests.length).toBe(seen);
  });
});

describe('failures while streaming', () => {
  const exceptions: Array<[StreamExceptionName, new (...args: never[]) => ConverseError]> = [
    ['InternalServerException', InternalServerException],
    ['ModelStreamErrorException', ModelStreamErrorException],
    ['ValidationException', ValidationException],
    ['ThrottlingException', ThrottlingException],
    ['ServiceUnavailableException', ServiceUnavailableException],
  ];

  it.each(exceptions)(
    '%s after chunks were delivered: typed error, not retried, history unchanged',
    async (exception, type) => {
      const client = clientOn(server);
      const id = await client.createConversation();
      const before = await client.getConversationHistory(id);
      model.enqueue('A reply that is cut short by an exception in the stream.');
      server.faults.add({ kind: 'stream-exception', exception, afterEvents: 4 });
      const seen = server.requests.length;
      const chunks: string[] = [];
      const error = await (async () => {
        for await (const chunk of client.sendMessageStreaming({ conversationId: id, message: 'x' }))
          chunks.push(chunk);
      })().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(type);
      expect(chunks.length).toBeGreaterThan(0);
      expect(streamRequests(server, seen)).toHaveLength(1);
      expect(await client.getConversationHistory(id)).toStrictEqual(before);
    },
  );

  it('a stream cut midway raises a typed error and leaves history unchanged', async () => {
    const client = clientOn(server);
    const id = await client.createConversation();
    const before = await client.getConversationHistory(id);
    model.enqueue('A reply whose connection is cut in the middle of it.');
    server.faults.add({ kind: 'stream-cut', afterEvents: 4 });
    const stream = client.sendMessageStreaming({ conversationId: id, message: 'x' });
    const chunks: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream) chunks.push(chunk);
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConverseError);
    expect((error as ConverseError).name).toMatch(/ConnectionError|ModelStreamErrorException/);
    expect(chunks.length).toBeGreaterThan(0);
    expect(await client.getConversationHistory(id)).toStrictEqual(before);
    await expect(stream.result).rejects.toBe(error);
  });

  it.each([
    [
      'a 429 answer',
      { kind: 'http-error', exception: 'ThrottlingException', routes: ['converse-stream'] },
    ],
    [
      'an exception right after messageStart',
      { kind: 'stream-exception', exception: 'ThrottlingException', afterEvents: 1 },
    ],
  ] satisfies Array<[string, Fault]>)(
    'a failure before the first chunk is retried: %s',
    async (_what, fault) => {
      const client = clientOn(server);
      const id = await client.createConversation();
      // An HTTP error is answered by the server before the model runs; an in-stream one is not.
      model.enqueue(...Array<string>(fault.kind === 'http-error' ? 1 : 2).fill('Made it.'));
      server.faults.add(fault);
      const seen = server.requests.length;
      const chunks: string[] = [];
      for await (const chunk of client.sendMessageStreaming({ conversationId: id, message: 'x' }))
        chunks.push(chunk);
      expect(chunks.join('')).toBe('Made it.');
      expect(streamRequests(server, seen)).toHaveLength(2);
      expect((await client.getConversationHistory(id)).messages).toHaveLength(2);
    },
  );

  it('ends with ConnectionError when the stream ends without messageStop and metadata', async () => {
    const client = new ConverseClient({
      modelId: 'local.scripted',
      runtime: {
        converse: () => Promise.reject(new Error('unused')),
        async *converseStream() {
          yield { messageStart: { role: 'assistant' } };
          yield { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Half' } } };
        },
      },
    });
    const id = await client.createConversation();
    const stream = client.sendMessageStreaming({ conversationId: id, message: 'x' });
    await expect(stream.result).rejects.toBeInstanceOf(ConnectionError);
    expect((await client.getConversationHistory(id)).messages).toHaveLength(0);
  });
});

describe('models that cannot use tools while streaming', () => {
  const toolConfig: ToolConfiguration = {
    tools: [
      {
        toolSpec: {
          name: 'lookup',
          description: 'Looks a word up.',
          inputSchema: { json: { type: 'object', properties: { word: { type: 'string' } } } },
        },
      },
    ],
  };
  const registry = new ModelRegistry([
    {
      match: /^local\.no-stream-tools$/,
      family: 'local',
      contextWindow: 8000,
      capabilities: { systemPrompt: true, tools: true, toolsWhileStreaming: false },
    },
  ]);

  it('answer a streaming turn with tools through one Converse call, yielded as chunks', async () => {
    const client = clientOn(server, { registry, modelId: 'local.no-stream-tools' });
    const id = await client.createConversation();
    model.enqueue('Answered without streaming.');
    const seen = server.requests.length;
    const chunks: string[] = [];
    for await (const chunk of client.sendMessageStreaming({
      conversationId: id,
      message: 'Look up "fallback"',
      toolConfig,
    })) {
      chunks.push(chunk);
    }
    expect(chunks.join('')).toBe('Answered without streaming.');
    expect(chunks.length).toBeGreaterThan(1);
    expect(server.requests.slice(seen).map((r) => r.route)).toStrictEqual(['converse']);
    expect((server.requests.at(-1)!.body as { toolConfig: unknown }).toolConfig).toStrictEqual(
      toolConfig,
    );
  });

  it('stream natively when the model can, and the same turn without tools streams too', async () => {
    const client = clientOn(server, { registry, modelId: 'local.no-stream-tools' });
    const id = await client.createConversation();
    model.enqueue('Streamed.');
    const seen = server.requests.length;
    for await (const _ of client.sendMessageStreaming({ conversationId: id, message: 'Hi' })) {
      // drain
    }
    expect(server.requests.slice(seen).map((r) => r.route)).toStrictEqual(['converse-stream']);
  });

  it('refuse tools for a model without tool use before any request', async () => {
    const client = clientOn(server, { modelId: 'unknown.model-v1' });
    const id = await client.createConversation();
    const seen = server.requests.length;
    await expect(
      client.send({ conversationId: id, message: 'Hi', toolConfig }),
    ).rejects.toBeInstanceOf(ValidationException);
    expect(server.requests.length).toBe(seen);
  });
});

describe('ordering', () => {
  it('a streamed turn and a plain send on one conversation run in call order', async () => {
    const client = new StreamingConverseClient({
      modelId: 'local.scripted',
      runtime: bedrockRuntime(server.clientConfig),
    });
    const id = await client.createConversation();
    model.enqueue('One.', 'Two.');
    const stream = client.sendMessageStreaming({ conversationId: id, message: 'first' });
    const streamed = stream.result;
    const sent = client.sendMessage({ conversationId: id, message: 'second' });
    expect((await streamed).text).toBe('One.');
    expect(await sent).toBe('Two.');
    const texts = (await client.getConversationHistory(id)).messages.map(
      (m) => (m.content![0] as { text: string }).text,
    );
    expect(texts).toStrictEqual(['first', 'One.', 'second', 'Two.']);
  });
});
