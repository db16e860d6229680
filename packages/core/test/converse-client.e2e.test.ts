// ConverseClient end to end: the real AWS SDK client, over real HTTP, against the local server.
import { getEventListeners } from 'node:events';
import type { Message } from '@aws-sdk/client-bedrock-runtime';
import {
  type LocalServer,
  type ScriptedRuntime,
  scriptedRuntime,
  startServer,
} from '@bedrock-converse/local';
import {
  AbortError,
  bedrockRuntime,
  ThrottlingException,
  ValidationException,
} from '@bedrock-converse/runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConversationNotFound, ConverseClient } from '../src/index.js';

let server: LocalServer;
let model: ScriptedRuntime;

beforeAll(async () => {
  model = scriptedRuntime();
  server = await startServer({ runtime: model });
});
afterAll(() => server.close());
beforeEach(() => server.faults.clear());

const transports = [
  { name: 'HTTP/2 (the SDK default handler)', httpVersion: '2.0', handler: () => undefined },
  { name: 'HTTP/1.1 (NodeHttpHandler)', httpVersion: '1.1', handler: () => new NodeHttpHandler() },
];

function clientFor(
  handler: NodeHttpHandler | undefined,
  retry = { baseDelayMs: 1, throttleBaseDelayMs: 2 },
) {
  const runtime = bedrockRuntime({
    ...server.clientConfig,
    ...(handler ? { requestHandler: handler } : {}),
  });
  return new ConverseClient({
    modelId: 'local.scripted',
    runtime,
    retry: { maxAttempts: 4, ...retry },
  });
}

describe.each(transports)('ConverseClient over $name', ({ httpVersion, handler }) => {
  it('holds a two-turn conversation: 4 messages in Converse shape and usage totals that add up', async () => {
    model.enqueue('Hello Ada, nice to meet you.', 'You are Ada.');
    const client = clientFor(handler());
    const id = await client.createConversation({ systemPrompt: 'You are terse.' });
    const seen = server.requests.length;

    const first = await client.send({ conversationId: id, message: 'Hi, I am Ada.' });
    const second = await client.sendMessage({ conversationId: id, message: 'Who am I?' });

    expect(first.text).toBe('Hello Ada, nice to meet you.');
    expect(first.stopReason).toBe('end_turn');
    expect(second).toBe('You are Ada.');
    const history = await client.getConversationHistory(id);
    expect(history.messages).toStrictEqual<Message[]>([
      { role: 'user', content: [{ text: 'Hi, I am Ada.' }] },
      { role: 'assistant', content: [{ text: 'Hello Ada, nice to meet you.' }] },
      { role: 'user', content: [{ text: 'Who am I?' }] },
      { role: 'assistant', content: [{ text: 'You are Ada.' }] },
    ]);
    expect(history.systemPrompt).toBe('You are terse.');
    // The scripted model counts words and marks: "You are terse." + "Hi, I am Ada." = 4 + 6 tokens.
    expect(first.usage).toStrictEqual({ inputTokens: 10, outputTokens: 8, totalTokens: 18 });
    const requests = server.requests.slice(seen);
    expect(requests.map((r) => r.httpVersion)).toStrictEqual([httpVersion, httpVersion]);
    // The second request carries the whole history: 10 + 8 ("Hello Ada, …") + 4 ("Who am I?").
    expect(history.usage).toStrictEqual({
      inputTokens: 10 + 22,
      outputTokens: 8 + 4,
      totalTokens: 18 + 26,
      cacheReadInputTokens: 0,
      cacheWriteInputTokens: 0,
    });
  });

  it('a 429 burst shorter than the retry budget succeeds, one SDK attempt per retry', async () => {
    const client = clientFor(handler());
    const id = await client.createConversation();
    server.faults.add({ kind: 'http-error', exception: 'ThrottlingException', times: 2 });
    model.enqueue('made it');
    const seen = server.requests.length;

    await expect(client.sendMessage({ conversationId: id, message: 'hello' })).resolves.toBe(
      'made it',
    );

    const attempts = server.requests.slice(seen);
    expect(attempts.map((r) => r.status)).toStrictEqual([429, 429, 200]);
    // The SDK does not retry on its own (maxAttempts 1): each attempt is a new SDK invocation.
    expect(attempts.every((r) => r.attempt === 'attempt=1; max=1')).toBe(true);
    expect((await client.getConversationHistory(id)).messages).toHaveLength(2);
  });

  it('abort listeners do not pile up: plain, retried and streamed turns, one after another', async () => {
    const base = bedrockRuntime({
      ...server.clientConfig,
      ...(handler() ? { requestHandler: handler()! } : {}),
    });
    const signals = new Set<AbortSignal>();
    const client = new ConverseClient({
      modelId: 'local.scripted',
      runtime: {
        converse: (input, call) => {
          if (call?.signal) signals.add(call.signal);
          return base.converse(input, call);
        },
        converseStream: (input, call) => {
          if (call?.signal) signals.add(call.signal);
          return base.converseStream(input, call);
        },
      },
      retry: { maxAttempts: 4, baseDelayMs: 1, throttleBaseDelayMs: 2 },
    });
    const id = await client.createConversation();
    await client.sendMessage({ conversationId: id, message: 'one' });
    server.faults.add({ kind: 'http-error', exception: 'ThrottlingException', times: 2 });
    await client.sendMessage({ conversationId: id, message: 'two' });
    for await (const _ of client.sendMessageStreaming({ conversationId: id, message: 'three' })) {
      // Read the whole stream.
    }
    await client.sendMessage({ conversationId: id, message: 'four' });

    expect(signals.size).toBeGreaterThan(0);
    // At most the runtime's one link per signal is left, however many calls used it (the SDK lets
    // go of its own listeners when each HTTP stream closes, just after the response).
    await vi.waitFor(() => {
      for (const signal of signals) {
        expect(getEventListeners(signal, 'abort').length).toBeLessThanOrEqual(1);
      }
    });
    expect((await client.getConversationHistory(id)).messages).toHaveLength(8);
  });

  it('a signal aborted mid-call ends the HTTP request at once: AbortError, history unchanged', async () => {
    const client = clientFor(handler());
    const id = await client.createConversation();
    await client.sendMessage({ conversationId: id, message: 'first' });
    server.faults.add({ kind: 'latency', ms: 5_000 });
    const seen = server.requests.length;
    const controller = new AbortController();
    const pending = client.sendMessage({
      conversationId: id,
      message: 'second',
      signal: controller.signal,
    });
    await expect.poll(() => server.requests.length).toBe(seen + 1);
    const abortedAt = performance.now();
    controller.abort();

    await expect(pending).rejects.toBeInstanceOf(AbortError);
    const request = server.requests[seen]!;
    await expect.poll(() => request.closedEarlyAt).toBeDefined();
    expect(request.closedEarlyAt! - abortedAt).toBeLessThan(1_000);
    expect((await client.getConversationHistory(id)).messages).toHaveLength(2);
  });

  it('a 429 burst longer than the retry budget raises ThrottlingException and leaves history unchanged', async () => {
    const client = clientFor(handler());
    const id = await client.createConversation();
    model.enqueue('first answer');
    await client.sendMessage({ conversationId: id, message: 'first' });
    const before = await client.getConversationHistory(id);
    server.faults.add({ kind: 'http-error', exception: 'ThrottlingException', times: 4 });
    const seen = server.requests.length;

    const error = await client
      .sendMessage({ conversationId: id, message: 'second' })
      .catch((e) => e);

    expect(error).toBeInstanceOf(ThrottlingException);
    expect(error.name).toBe('ThrottlingException');
    expect(error.retryable).toBe(true);
    expect(error.$metadata.httpStatusCode).toBe(429);
    expect(server.requests.length - seen).toBe(4);
    expect(await client.getConversationHistory(id)).toStrictEqual(before);
  });

  it('a 400 raises ValidationException at once, without retry, history unchanged', async () => {
    const client = clientFor(handler());
    const id = await client.createConversation();
    const before = await client.getConversationHistory(id);
    server.faults.add({
      kind: 'http-error',
      exception: 'ValidationException',
      message: 'Malformed input request.',
    });
    const seen = server.requests.length;

    const error = await client
      .sendMessage({ conversationId: id, message: 'hello' })
      .catch((e) => e);

    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toContain('Malformed input request.');
    expect(error.retryable).toBe(false);
    expect(server.requests.length - seen).toBe(1);
    expect(await client.getConversationHistory(id)).toStrictEqual(before);
  });
});

describe('failed turns', () => {
  it.each([
    ['ModelErrorException', 1],
    ['AccessDeniedException', 1],
    ['ServiceUnavailableException', 4],
    ['InternalServerException', 4],
  ] as const)(
    '%s leaves the history exactly as it was (%i attempts)',
    async (exception, attempts) => {
      const client = clientFor(undefined);
      const id = await client.createConversation();
      model.enqueue('kept');
      await client.sendMessage({ conversationId: id, message: 'keep me' });
      const before = await client.getConversationHistory(id);
      server.faults.add({ kind: 'http-error', exception, times: 10 });
      const seen = server.requests.length;

      const error = await client
        .sendMessage({ conversationId: id, message: 'lost?' })
        .catch((e) => e);

      expect(error.name).toBe(exception);
      expect(server.requests.length - seen).toBe(attempts);
      expect(await client.getConversationHistory(id)).toStrictEqual(before);
    },
  );

  it('a connection reset is retried as a ConnectionError', async () => {
    const client = clientFor(undefined);
    const id = await client.createConversation();
    server.faults.add({ kind: 'reset', times: 1 });
    model.enqueue('after reset');

    await expect(client.sendMessage({ conversationId: id, message: 'hi' })).resolves.toBe(
      'after reset',
    );
  });
});

describe('ConversationNotFound and validation', () => {
  const client = () => clientFor(undefined);

  it('an unknown conversation id raises ConversationNotFound everywhere', async () => {
    const c = client();
    await expect(c.sendMessage({ conversationId: 'nope', message: 'hi' })).rejects.toBeInstanceOf(
      ConversationNotFound,
    );
    await expect(c.getConversationHistory('nope')).rejects.toBeInstanceOf(ConversationNotFound);
    await expect(
      c.addMessage({ conversationId: 'nope', role: 'user', content: 'x' }),
    ).rejects.toThrow('Conversation "nope" was not found.');
    await expect(c.deleteConversation('nope')).rejects.toHaveProperty(
      'name',
      'ConversationNotFound',
    );
  });

  it('an empty message raises ValidationException that says so, and nothing is sent', async () => {
    const c = client();
    const id = await c.createConversation();
    const seen = server.requests.length;
    for (const message of ['', '   ', []]) {
      await expect(c.sendMessage({ conversationId: id, message })).rejects.toThrow(
        /message is empty: send some text or at least one content block/,
      );
    }
    await expect(
      c.sendMessage({ conversationId: id, message: [{ bogus: 1 } as never] }),
    ).rejects.toThrow(/message\[0\] is not a content block/);
    expect(server.requests.length).toBe(seen);
  });

  it('addMessage refuses a wrong role order and an unknown role, saying what is wrong', async () => {
    const c = client();
    const id = await c.createConversation();
    await expect(
      c.addMessage({ conversationId: id, role: 'assistant', content: 'first!' }),
    ).rejects.toThrow(
      new ValidationException(
        'The first message of a conversation must be from the user; got an assistant message.',
      ),
    );
    await c.addMessage({ conversationId: id, role: 'user', content: 'question' });
    const error = await c
      .addMessage({ conversationId: id, role: 'user', content: 'again' })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toMatch(/must alternate .* already ends with a user message/);
    await expect(
      c.addMessage({ conversationId: id, role: 'system' as never, content: 'x' }),
    ).rejects.toThrow('role must be "user" or "assistant", got "system".');
    expect((await c.getConversationHistory(id)).messages).toStrictEqual([
      { role: 'user', content: [{ text: 'question' }] },
    ]);
  });

  it('a send after an added user message merges into it, keeping roles alternating', async () => {
    const c = client();
    const id = await c.createConversation();
    await c.addMessage({ conversationId: id, role: 'user', content: 'Context: the sky is green.' });
    model.enqueue('Noted.');
    await c.sendMessage({ conversationId: id, message: 'What colour is the sky?' });
    expect((await c.getConversationHistory(id)).messages).toStrictEqual([
      {
        role: 'user',
        content: [{ text: 'Context: the sky is green.' }, { text: 'What colour is the sky?' }],
      },
      { role: 'assistant', content: [{ text: 'Noted.' }] },
    ]);
  });
});

describe('ordering and concurrency', () => {
  it('two concurrent sends on one conversation give 4 messages in call order, never interleaved', async () => {
    const slow = scriptedRuntime({
      latencyMs: 30,
      respond: (r) => `echo ${JSON.stringify(r.messages?.at(-1)?.content)}`,
    });
    const local = await startServer({ runtime: slow });
    const c = new ConverseClient({
      modelId: 'local.scripted',
      runtime: bedrockRuntime(local.clientConfig),
    });
    const id = await c.createConversation();

    const [a, b] = await Promise.all([
      c.sendMessage({ conversationId: id, message: 'first' }),
      c.sendMessage({ conversationId: id, message: 'second' }),
    ]);

    expect(a).toBe('echo [{"text":"first"}]');
    expect(b).toBe('echo [{"text":"second"}]');
    const { messages } = await c.getConversationHistory(id);
    expect(
      messages.map((m) => `${m.role}:${(m.content![0] as { text: string }).text}`),
    ).toStrictEqual([
      'user:first',
      'assistant:echo [{"text":"first"}]',
      'user:second',
      'assistant:echo [{"text":"second"}]',
    ]);
    // The second request was sent after the first turn was committed: it carries all three messages.
    expect(slow.requests.map((r) => r.messages?.length)).toStrictEqual([1, 3]);
    await local.close();
  });

  it('sends on two conversations overlap in time', async () => {
    const spans: Array<{ start: number; end: number }> = [];
    const slow = scriptedRuntime({
      respond: async () => {
        const start = performance.now();
        await new Promise((r) => setTimeout(r, 50));
        spans.push({ start, end: performance.now() });
        return 'done';
      },
    });
    const local = await startServer({ runtime: slow });
    const c = new ConverseClient({
      modelId: 'local.scripted',
      runtime: bedrockRuntime(local.clientConfig),
    });
    const [one, two] = await Promise.all([c.createConversation(), c.createConversation()]);

    await Promise.all([
      c.sendMessage({ conversationId: one, message: 'a' }),
      c.sendMessage({ conversationId: two, message: 'b' }),
    ]);

    expect(spans).toHaveLength(2);
    const [x, y] = spans as [{ start: number; end: number }, { start: number; end: number }];
    expect(y.start).toBeLessThan(x.end);
    await local.close();
  });

  it('keeps working when idle actors are evicted and recreated (maxIdleActors: 1)', async () => {
    const c = new ConverseClient({
      modelId: 'local.scripted',
      runtime: bedrockRuntime(server.clientConfig),
      maxIdleActors: 1,
    });
    const [one, two] = await Promise.all([c.createConversation(), c.createConversation()]);
    model.enqueue('a1', 'b1', 'a2');
    await c.sendMessage({ conversationId: one, message: 'a' });
    await c.sendMessage({ conversationId: two, message: 'b' }); // evicts one's actor
    await c.sendMessage({ conversationId: one, message: 'a again' });
    const texts = (await c.getConversationHistory(one)).messages.map(
      (m) => (m.content![0] as { text: string }).text,
    );
    expect(texts).toStrictEqual(['a', 'a1', 'a again', 'a2']);
  });

  it('passes inspect to the conversation actors', async () => {
    const states: unknown[] = [];
    const c = new ConverseClient({
      modelId: 'local.scripted',
      runtime: bedrockRuntime(server.clientConfig),
      inspect: (event) => {
        if (event.type === '@xstate.snapshot' && event.actorRef.sessionId === event.rootId)
          states.push((event.snapshot as { value?: unknown }).value);
      },
    });
    const id = await c.createConversation();
    await c.sendMessage({ conversationId: id, message: 'watch me' });
    expect(states).toStrictEqual(['idle', 'preparing', 'callingModel', 'committing', 'idle']);
  });

  it('lists and deletes conversations', async () => {
    const c = clientFor(undefined);
    const id = await c.createConversation({ metadata: { user: 'u1' } });
    expect((await c.listConversations()).find((s) => s.id === id)).toMatchObject({
      id,
      messageCount: 0,
      metadata: { user: 'u1' },
    });
    await c.deleteConversation(id);
    await expect(c.getConversationHistory(id)).rejects.toBeInstanceOf(ConversationNotFound);
  });
});
