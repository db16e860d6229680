// Per-turn latency that ConverseClient adds over a raw ConverseCommand, both through the real AWS
// SDK client (default HTTP/2 handler) against the same local server with the scripted model.
import {
  BedrockRuntimeClient,
  ConverseCommand,
  type Message,
} from '@aws-sdk/client-bedrock-runtime';
import { ConverseClient } from '@bedrock-converse/core';
import { scriptedRuntime, startServer } from '@bedrock-converse/local';
import { bedrockRuntime } from '@bedrock-converse/runtime';
import { machine, median, pairedRuns, quantile } from './report.js';

const TURNS_PER_CONVERSATION = 5;

export async function turnLatency({ turns }: { turns: number }): Promise<string> {
  const server = await startServer({
    runtime: scriptedRuntime({ respond: () => 'A short scripted reply.' }),
  });
  const raw = new BedrockRuntimeClient({ ...server.clientConfig, maxAttempts: 1 });
  const client = new ConverseClient({
    modelId: 'local.bench',
    runtime: bedrockRuntime(server.clientConfig),
  });

  let conversationId = '';
  let history: Message[] = [];
  const clientTurn = async (text: string) => {
    const started = performance.now();
    await client.sendMessage({ conversationId, message: text });
    return performance.now() - started;
  };
  // The raw side sends exactly what ConverseClient sends: the same history, grown the same way.
  const rawTurn = async (text: string) => {
    const messages: Message[] = [...history, { role: 'user', content: [{ text }] }];
    const started = performance.now();
    const result = await raw.send(new ConverseCommand({ modelId: 'local.bench', messages }));
    const elapsed = performance.now() - started;
    history = [...messages, result.output!.message!];
    return elapsed;
  };

  const warmup = 100;
  const { raw: rawTimes, client: clientTimes } = await pairedRuns({
    warmup,
    runs: turns,
    before: async (i) => {
      if (i % TURNS_PER_CONVERSATION === 0) {
        conversationId = await client.createConversation();
        history = [];
      }
    },
    raw: (i) => rawTurn(`Message number ${i} of the benchmark.`),
    client: (i) => clientTurn(`Message number ${i} of the benchmark.`),
  });
  await server.close();
  raw.destroy();

  const rawMedian = median(rawTimes);
  const clientMedian = median(clientTimes);
  const fmt = (ms: number) => ms.toFixed(3);
  return [
    `Turn latency, median of ${turns} turns (after ${warmup} warm-up), conversations of ${TURNS_PER_CONVERSATION} turns, HTTP/2, scripted model. ${machine()}.`,
    '',
    '| path | median ms | p90 ms |',
    '|---|---:|---:|',
    `| raw \`ConverseCommand\` | ${fmt(rawMedian)} | ${fmt(quantile(rawTimes, 0.9))} |`,
    `| \`ConverseClient.sendMessage\` | ${fmt(clientMedian)} | ${fmt(quantile(clientTimes, 0.9))} |`,
    '',
    `**Ratio (client / raw, medians): ${(clientMedian / rawMedian).toFixed(3)}** (target ≤ 1.05); added per turn: ${fmt(clientMedian - rawMedian)} ms.`,
  ].join('\n');
}
