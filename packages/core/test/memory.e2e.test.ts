// Memory end to end: long conversations under a token budget, summaries, stats and context-overflow
// recovery, through the real AWS SDK client against the local server.
import type { Message, SystemContentBlock } from '@aws-sdk/client-bedrock-runtime';
import {
  countRequestTokens,
  type LocalServer,
  scriptedRuntime,
  startServer,
} from '@bedrock-converse/local';
import { summarizing, summaryHeading } from '@bedrock-converse/memory';
import {
  bedrockRuntime,
  ContextWindowOverflow,
  type ConverseInput,
} from '@bedrock-converse/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConverseClient,
  type ConverseClientOptions,
  MemoryAwareConverseClient,
  summaryInstruction,
} from '../src/index.js';

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const isSummaryRequest = (request: ConverseInput) =>
  (request.system?.[0] as SystemContentBlock.TextMember | undefined)?.text === summaryInstruction;

/** A scripted model that answers each turn with a few sentences, and summary requests with one. */
async function serve(options: { contextWindow?: number } = {}) {
  let turn = 0;
  const summaries: ConverseInput[] = [];
  server = await startServer({
    runtime: scriptedRuntime({
      respond: (request) => {
        if (isSummaryRequest(request)) {
          summaries.push(request);
          return `Summary ${summaries.length}: the user asked about topics 0 to ${turn - 1}.`;
        }
        turn += 1;
        return `Answer ${turn}: here is what I know about that topic, in a few plain words that take up some room in the history.`;
      },
    }),
    ...options,
  });
  return { server, summaries };
}

function clientOn(target: LocalServer, options: Partial<ConverseClientOptions> = {}) {
  return new ConverseClient({
    modelId: 'local.scripted',
    runtime: bedrockRuntime(target.clientConfig),
    retry: { maxAttempts: 2, baseDelayMs: 1 },
    ...options,
  });
}

const question = (i: number) =>
  `Question ${i}: tell me something about topic number ${i}, briefly please, and keep it short.`;
const converseRequests = (target: LocalServer) =>
  target.requests
    .filter((r) => r.route === 'converse' && !isSummaryRequest(r.body as ConverseInput))
    .map((r) => r.body as ConverseInput);

describe('a 60-turn conversation with maxHistoryTokens 2000', () => {
  it('stays under budget on every request, and getMemoryStats matches what was sent', async () => {
    const { server } = await serve();
    const client = new MemoryAwareConverseClient({
      modelId: 'local.scripted',
      runtime: bedrockRuntime(server.clientConfig),
      maxHistoryTokens: 2000,
    });
    const id = await client.createConversation({ systemPrompt: 'You are brief.' });
    for (let i = 0; i < 60; i++) {
      await client.sendMessage({ conversationId: id, message: question(i) });
      const sent = converseRequests(server).at(-1)!;
      // The model's own count of the history sent stays within the budget.
      expect(countRequestTokens(sent.messages, [])).toBeLessThanOrEqual(2000);
      const stats = await client.getMemoryStats(id);
      expect(stats.sentMessageCount).toBe(sent.messages!.length);
      expect(stats.messageCount).toBe(2 * (i + 1));
      expect(stats.prunedMessageCount).toBe(2 * i + 1 - sent.messages!.length);
      expect(stats.currentTokens).toBeLessThanOrEqual(2000);
      expect(stats.availableTokens).toBe(2000 - stats.currentTokens);
      expect(stats.maxHistoryTokens).toBe(2000);
    }

    const history = await client.getConversationHistory(id);
    // The store keeps everything; the model saw the newest part.
    expect(history.messages).toHaveLength(120);
    const last = converseRequests(server).at(-1)!;
    expect(history.lastRequest!.messageIndices.map((i) => history.messages[i])).toStrictEqual(
      last.messages,
    );
    expect(history.lastRequest!.messageIndices.at(-1)).toBe(118);
    expect(last.messages!.length).toBeLessThan(119);
    expect(last.messages![0]!.role).toBe('user');
    // The system prompt is never pruned.
    expect(last.system).toStrictEqual([{ text: 'You are brief.' }]);

    const stats = await client.getMemoryStats(id);
    expect(stats.prunedMessageCount).toBeGreaterThan(0);
    // Calibrated against the model's reported counts, the estimate ends close to them.
    expect(Math.abs(stats.estimateError!)).toBeLessThan(0.05);
    expect(history.lastRequest!.inputTokens).toBe(countRequestTokens(last.messages, last.system));
  });

  it('with the summarizing strategy, keeps a summary message ahead of the kept history', async () => {
    const { server, summaries } = await serve();
    const client = clientOn(server, { maxHistoryTokens: 2000, strategy: 'summarizing' });
    const id = await client.createConversation();
    for (let i = 0; i < 60; i++) {
      await client.sendMessage({ conversationId: id, message: question(i) });
    }
    const last = converseRequests(server).at(-1)!;
    const first = last.messages![0]!;
    expect(first.role).toBe('user');
    expect((first.content![0] as { text: string }).text).toMatch(
      new RegExp(`^${summaryHeading}\\nSummary \\d+: the user asked about topics`),
    );
    expect(countRequestTokens(last.messages, [])).toBeLessThanOrEqual(2000);
    // Summaries are refreshed as the cut moves, not remade every turn.
    expect(summaries.length).toBeGreaterThan(0);
    expect(summaries.length).toBeLessThan(60);
    const stats = await client.getMemoryStats(id);
    expect(stats.summaryTokens).toBeGreaterThan(0);
    const history = await client.getConversationHistory(id);
    expect(history.lastRequest!.summary).toMatch(/^Summary \d+/);
    expect(history.messages).toHaveLength(120);
  });

  it('with countTokens, counts each request exactly and calibrates before sending', async () => {
    const { server } = await serve();
    const client = clientOn(server, { maxHistoryTokens: 2000, countTokens: true });
    const id = await client.createConversation({ systemPrompt: 'You are brief.' });
    for (let i = 0; i < 3; i++) {
      await client.sendMessage({ conversationId: id, message: question(i) });
      // From the very first turn the estimate is the model's own count.
      expect((await client.getMemoryStats(id)).estimateError).toBe(0);
    }
    const routes = server.requests.map((r) => r.route);
    expect(routes.filter((r) => r === 'count-tokens')).toHaveLength(3);
    expect(routes.filter((r) => r === 'converse')).toHaveLength(3);
  });

  it('never prunes a pinned message', async () => {
    const { server } = await serve();
    const client = clientOn(server, { strategy: summarizing({ maxTokens: 600 }) });
    const id = await client.createConversation();
    await client.addMessage({
      conversationId: id,
      role: 'user',
      content: 'Important: my account number is 4711.',
      pinned: true,
    });
    for (let i = 0; i < 20; i++) {
      await client.sendMessage({ conversationId: id, message: question(i) });
    }
    const last = converseRequests(server).at(-1)!;
    expect(JSON.stringify(last.messages![0])).toContain('account number is 4711');
    expect((await client.getConversationHistory(id)).pinned).toStrictEqual([0]);
  });
});

describe('context-overflow recovery through the server', () => {
  const big = (words: number) => Array.from({ length: words }, (_, i) => `w${i}`).join(' ');

  it('prunes and retries when the model says the input is too long: recovered once', async () => {
    const { server } = await serve({ contextWindow: 700 });
    // No strategy: the whole history is sent until the model refuses it.
    const client = clientOn(server);
    const id = await client.createConversation();
    for (let i = 0; i < 3; i++) {
      await client.sendMessage({ conversationId: id, message: `${question(i)} ${big(150)}` });
    }
    const seen = server.requests.length;
    const before = await client.getConversationHistory(id);
    const reply = await client.sendMessage({
      conversationId: id,
      message: `${question(3)} ${big(100)}`,
    });
    expect(reply).toMatch(/^Answer 4/);
    const attempts = server.requests.slice(seen);
    expect(attempts.map((r) => r.status)).toStrictEqual([400, 200]);
    const retried = attempts[1]!.body as ConverseInput;
    // The oldest exchange went from what was sent; everything is still stored.
    expect(retried.messages!.length).toBe(before.messages.length - 1);
    const after = await client.getConversationHistory(id);
    expect(after.messages).toHaveLength(8);
    expect(after.lastRequest!.messageIndices[0]).toBe(2);
  });

  it('cuts an oversized tool result before dropping whole messages', async () => {
    const { server } = await serve({ contextWindow: 1500 });
    const client = clientOn(server);
    const id = await client.createConversation();
    await client.addMessage({ conversationId: id, role: 'user', content: 'Look it up.' });
    await client.addMessage({
      conversationId: id,
      role: 'assistant',
      content: [{ toolUse: { toolUseId: 't1', name: 'lookup', input: {} } }],
    });
    await client.addMessage({
      conversationId: id,
      role: 'user',
      content: [{ toolResult: { toolUseId: 't1', content: [{ text: big(2500) }] } }],
    });
    const seen = server.requests.length;
    await client.sendMessage({ conversationId: id, message: 'What did it say?' });
    const retried = server.requests.at(-1)!.body as { messages: Message[] };
    expect(server.requests.slice(seen).map((r) => r.status)).toStrictEqual([400, 200]);
    // All four messages were still sent; the tool result was cut to head and tail.
    expect(retried.messages).toHaveLength(3);
    const text = JSON.stringify(retried.messages[2]);
    expect(text).toContain('characters cut to fit the context window');
    expect(text).toContain('What did it say?');
    // The store still has the whole result.
    const stored = (await client.getConversationHistory(id)).messages[2]!;
    expect(JSON.stringify(stored)).toContain('w2499');
  });

  it('a single message bigger than the window raises ContextWindowOverflow, history unchanged', async () => {
    const { server } = await serve({ contextWindow: 300 });
    const client = clientOn(server);
    const id = await client.createConversation();
    await client.sendMessage({ conversationId: id, message: 'Hello there.' });
    const before = await client.getConversationHistory(id);
    const error = await client
      .sendMessage({ conversationId: id, message: big(400) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContextWindowOverflow);
    expect((error as ContextWindowOverflow).estimatedTokens).toBeGreaterThan(300);
    expect(await client.getConversationHistory(id)).toStrictEqual(before);
  });

  it('a budget the newest message alone exceeds is refused before any request', async () => {
    const { server } = await serve();
    const client = clientOn(server, { maxHistoryTokens: 100 });
    const id = await client.createConversation();
    const seen = server.requests.length;
    await expect(
      client.sendMessage({ conversationId: id, message: big(300) }),
    ).rejects.toBeInstanceOf(ContextWindowOverflow);
    expect(server.requests.length).toBe(seen);
  });
});
