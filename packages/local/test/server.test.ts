// The local server through the real AWS SDK client: it is the judge of the wire format.
import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  type ConverseStreamOutput,
  CountTokensCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type LocalServer,
  type ScriptedRuntime,
  scriptedRuntime,
  startServer,
} from '../src/index.js';

let server: LocalServer;
let model: ScriptedRuntime;
const user = (text: string) => ({ role: 'user' as const, content: [{ text }] });

beforeAll(async () => {
  model = scriptedRuntime({ chunking: { textChunkSize: 5, toolInputChunkSize: 7 } });
  server = await startServer({ runtime: model, bodyLimitBytes: 50_000 });
});
afterAll(() => server.close());
beforeEach(() => server.faults.clear());

const clients = {
  'HTTP/2': () => new BedrockRuntimeClient({ ...server.clientConfig, maxAttempts: 1 }),
  'HTTP/1.1': () =>
    new BedrockRuntimeClient({
      ...server.clientConfig,
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler(),
    }),
};

async function collect(stream: AsyncIterable<ConverseStreamOutput> | undefined) {
  const events: ConverseStreamOutput[] = [];
  for await (const event of stream ?? []) events.push(event);
  return events;
}

describe.each(Object.entries(clients))('over %s', (_name, makeClient) => {
  it('a raw ConverseStreamCommand yields the events in Bedrock order', async () => {
    model.enqueue({
      text: 'Hello world',
      toolUses: [{ name: 'weather', input: { city: 'Paris' }, toolUseId: 'tooluse_1' }],
    });
    const response = await makeClient().send(
      new ConverseStreamCommand({ modelId: 'local.test', messages: [user('weather?')] }),
    );
    const events = await collect(response.stream);
    const names = events.map((e) => Object.keys(e).filter((k) => k !== '$unknown')[0]);
    expect(names).toStrictEqual([
      'messageStart',
      'contentBlockDelta',
      'contentBlockDelta',
      'contentBlockDelta',
      'contentBlockStop',
      'contentBlockStart',
      'contentBlockDelta',
      'contentBlockDelta',
      'contentBlockDelta',
      'contentBlockStop',
      'messageStop',
      'metadata',
    ]);
    expect(events[0]).toStrictEqual({ messageStart: { role: 'assistant' } });
    const text = events.flatMap((e) =>
      e.contentBlockDelta?.delta && 'text' in e.contentBlockDelta.delta
        ? [e.contentBlockDelta.delta.text]
        : [],
    );
    expect(text).toStrictEqual(['Hello', ' worl', 'd']);
    expect(events[5]).toStrictEqual({
      contentBlockStart: {
        contentBlockIndex: 1,
        start: { toolUse: { toolUseId: 'tooluse_1', name: 'weather' } },
      },
    });
    const fragments = events.flatMap((e) =>
      e.contentBlockDelta?.delta && 'toolUse' in e.contentBlockDelta.delta
        ? [e.contentBlockDelta.delta.toolUse?.input]
        : [],
    );
    expect(JSON.parse(fragments.join(''))).toStrictEqual({ city: 'Paris' });
    expect(events[10]).toStrictEqual({ messageStop: { stopReason: 'tool_use' } });
    // Scripted tokens: "Hello world" is 2, the tool input {"city":"Paris"} is 9 (words and marks).
    expect(events[11]?.metadata?.usage).toStrictEqual({
      inputTokens: 2,
      outputTokens: 11,
      totalTokens: 13,
    });
  });

  it('Converse answers in the wire format, with the request id in $metadata', async () => {
    model.enqueue('Plain answer.');
    const result = await makeClient().send(
      new ConverseCommand({
        modelId: 'local.test',
        messages: [user('hi')],
        inferenceConfig: { maxTokens: 100 },
      }),
    );
    expect(result.output).toStrictEqual({
      message: { role: 'assistant', content: [{ text: 'Plain answer.' }] },
    });
    expect(result.$metadata.httpStatusCode).toBe(200);
    expect(result.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('in-stream exceptions', () => {
  it.each([
    'InternalServerException',
    'ModelStreamErrorException',
    'ValidationException',
    'ThrottlingException',
    'ServiceUnavailableException',
  ] as const)(
    '%s arrives as an exception frame and the SDK throws its typed class',
    async (exception) => {
      model.enqueue('one two three four five six seven');
      server.faults.add({
        kind: 'stream-exception',
        exception,
        afterEvents: 3,
        message: 'mid-stream trouble',
      });
      const response = await clients['HTTP/2']().send(
        new ConverseStreamCommand({ modelId: 'local.test', messages: [user('go')] }),
      );
      const seen: ConverseStreamOutput[] = [];
      const error = await (async () => {
        for await (const event of response.stream ?? []) seen.push(event);
      })().catch((e) => e);
      expect(seen).toHaveLength(3);
      expect(error.name).toBe(exception);
      expect(error.message).toBe('mid-stream trouble');
    },
  );

  it('a stream cut midway fails the iteration', async () => {
    model.enqueue('one two three four five six seven');
    server.faults.add({ kind: 'stream-cut', afterEvents: 2 });
    const response = await clients['HTTP/1.1']().send(
      new ConverseStreamCommand({ modelId: 'local.test', messages: [user('go')] }),
    );
    const seen: ConverseStreamOutput[] = [];
    const error = await (async () => {
      for await (const event of response.stream ?? []) seen.push(event);
    })().catch((e) => e);
    expect(seen).toHaveLength(2);
    expect(error).toBeInstanceOf(Error);
  });
});

describe('errors, limits and routes', () => {
  it('answers HTTP faults with the status and x-amzn-errortype the SDK maps', async () => {
    server.faults.add({
      kind: 'http-error',
      exception: 'ModelErrorException',
      message: 'model failed',
    });
    const error = await clients['HTTP/2']()
      .send(new ConverseCommand({ modelId: 'm', messages: [user('x')] }))
      .catch((e) => e);
    expect(error.name).toBe('ModelErrorException');
    expect(error.$metadata.httpStatusCode).toBe(424);
    expect(error.message).toBe('model failed');
  });

  it('refuses a body over the limit with a ValidationException', async () => {
    const error = await clients['HTTP/1.1']()
      .send(new ConverseCommand({ modelId: 'm', messages: [user('x'.repeat(60_000))] }))
      .catch((e) => e);
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain('50000-byte limit');
  });

  it('validates requests with Bedrock wording', async () => {
    const client = clients['HTTP/2']();
    const send = (messages: never[]) =>
      client.send(new ConverseCommand({ modelId: 'm', messages })).catch((e) => e);
    const alternating = await send([user('a'), user('b')] as never[]);
    expect(alternating.message).toMatch(
      /^A conversation must alternate between user and assistant roles/,
    );
    const orphan = await send([
      user('a'),
      { role: 'assistant', content: [{ toolUse: { toolUseId: 't1', name: 'f', input: {} } }] },
      user('no result'),
    ] as never[]);
    expect(orphan.message).toBe(
      'Expected toolResult blocks at messages.2.content for the following Ids: t1',
    );
    const temperature = await client
      .send(
        new ConverseCommand({
          modelId: 'm',
          messages: [user('a')],
          inferenceConfig: { temperature: 3 },
        }),
      )
      .catch((e) => e);
    expect(temperature.message).toContain('inferenceConfig.temperature');
    const tool = (json: unknown) =>
      client
        .send(
          new ConverseCommand({
            modelId: 'm',
            messages: [user('a')],
            toolConfig: {
              tools: [
                { toolSpec: { name: 'f', description: 'f', inputSchema: { json: json as never } } },
              ],
            },
          }),
        )
        .catch((e) => e);
    expect((await tool({ type: 'string' })).message).toBe(
      'toolConfig.tools.0.toolSpec.inputSchema.json.type must be object.',
    );
    const invalid = await tool({ type: 'object', properties: { a: { type: 'nonsense' } } });
    expect(invalid.name).toBe('ValidationException');
    expect(invalid.message).toMatch(/is not a valid JSON Schema/);
  });

  it('decodes model ids with ARN characters and counts tokens', async () => {
    const modelId =
      'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0';
    const result = await clients['HTTP/2']().send(
      new CountTokensCommand({
        modelId,
        input: { converse: { messages: [user('count these four')] } },
      }),
    );
    expect(result.inputTokens).toBe(3);
    expect(server.requests.at(-1)?.modelId).toBe(modelId);
  });

  it('answers unknown routes with 404', async () => {
    const response = await fetch(`${server.url}/nothing-here`, { method: 'POST' });
    expect(response.status).toBe(404);
    expect(response.headers.get('x-amzn-errortype')).toMatch(/^UnknownOperationException/);
  });
});
