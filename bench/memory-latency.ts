// CPU time a turn costs under a token budget with a 10-message history and with a 10 000-message
// one: the scripted model, the same local server, the real AWS SDK client. The budget binds in both,
// so both requests are the same size; the difference is what the library does with the history.
import type { Message } from '@aws-sdk/client-bedrock-runtime';
import { ConverseClient } from '@bedrock-converse/core';
import { scriptedRuntime, startServer } from '@bedrock-converse/local';
import { bedrockRuntime } from '@bedrock-converse/runtime';
import { emptyUsage, MemoryConversationStore } from '@bedrock-converse/store';
import { machine, median, quantile } from './report.js';

const BUDGET = 300;
const words = (n: number, seed: number) =>
  Array.from({ length: n }, (_, i) => `word${(seed + i) % 97}`).join(' ');

function history(length: number): Message[] {
  return Array.from({ length }, (_, i) => ({
    role: i % 2 === 0 ? ('user' as const) : ('assistant' as const),
    content: [{ text: `${i % 2 === 0 ? 'Question' : 'Answer'} ${i}: ${words(30, i)}.` }],
  }));
}

export async function memoryLatency({ turns }: { turns: number }): Promise<string> {
  const server = await startServer({
    runtime: scriptedRuntime({ respond: () => `A reply of about thirty words: ${words(25, 7)}.` }),
  });
  const store = new MemoryConversationStore();
  const client = new ConverseClient({
    modelId: 'local.bench',
    runtime: bedrockRuntime(server.clientConfig),
    store,
    maxHistoryTokens: BUDGET,
  });
  const now = new Date().toISOString();
  const conversations = [10, 10_000].map((length) => ({
    length,
    id: `bench-${length}`,
    cpu: [] as number[],
  }));
  for (const c of conversations) {
    await store.create({
      id: c.id,
      modelId: 'local.bench',
      messages: history(c.length),
      usage: emptyUsage(),
      createdAt: now,
      updatedAt: now,
    });
  }

  const warmup = 30;
  for (let i = 0; i < warmup + turns; i++) {
    // Alternate which goes first, so drift favours neither.
    const order = i % 2 === 0 ? conversations : [...conversations].reverse();
    for (const c of order) {
      const before = process.cpuUsage();
      await client.sendMessage({ conversationId: c.id, message: `Turn ${i}: ${words(30, i)}.` });
      const used = process.cpuUsage(before);
      if (i >= warmup) c.cpu.push((used.user + used.system) / 1000);
    }
  }
  const sent = await Promise.all(conversations.map((c) => client.getMemoryStats(c.id)));
  await server.close();

  const [small, large] = conversations as [(typeof conversations)[0], (typeof conversations)[0]];
  const fmt = (ms: number) => ms.toFixed(3);
  const row = (c: typeof small, i: number) =>
    `| ${c.length.toLocaleString('en')} (+${2 * (warmup + turns)}) | ${sent[i]!.sentMessageCount} | ${fmt(median(c.cpu))} | ${fmt(quantile(c.cpu, 0.9))} |`;
  return [
    `CPU time per turn (user + system, whole process: client, SDK and server), median of ${turns} turns after ${warmup} warm-up, tokenBudget ${BUDGET}, HTTP/2, scripted model. ${machine()}.`,
    '',
    '| stored messages | sent in the last request | CPU ms per turn, median | p90 |',
    '|---:|---:|---:|---:|',
    row(small, 0),
    row(large, 1),
    '',
    `**Ratio (10 000 / 10, medians): ${(median(large.cpu) / median(small.cpu)).toFixed(3)}** (target ≤ 1.5).`,
  ].join('\n');
}
