// Time to first and last chunk of ConverseClient.sendMessageStreaming against a raw
// ConverseStreamCommand, both through the real AWS SDK client (default HTTP/2 handler) against the
// same local server streaming the scripted model's reply in chunks.
import {
  BedrockRuntimeClient,
  ConverseStreamCommand,
  type Message,
} from '@aws-sdk/client-bedrock-runtime';
import { ConverseClient } from '@bedrock-converse/core';
import { scriptedRuntime, startServer } from '@bedrock-converse/local';
import { bedrockRuntime } from '@bedrock-converse/runtime';
import { machine, median, pairedRuns, quantile } from './report.js';

const TURNS_PER_CONVERSATION = 5;
const REPLY = 'A scripted reply, streamed to the caller in small chunks of text as it is written.';

export async function streamLatency({ streams }: { streams: number }): Promise<string> {
  const server = await startServer({
    runtime: scriptedRuntime({ respond: () => REPLY, chunking: { textChunkSize: 8 } }),
  });
  const raw = new BedrockRuntimeClient({ ...server.clientConfig, maxAttempts: 1 });
  const client = new ConverseClient({
    modelId: 'local.bench',
    runtime: bedrockRuntime(server.clientConfig),
  });

  let conversationId = '';
  let history: Message[] = [];
  type Timing = { first: number; last: number };
  const clientStream = async (text: string): Promise<Timing> => {
    const started = performance.now();
    let first = 0;
    let last = 0;
    for await (const _chunk of client.sendMessageStreaming({ conversationId, message: text })) {
      last = performance.now() - started;
      if (first === 0) first = last;
    }
    return { first, last };
  };
  // The raw side sends exactly what ConverseClient sends: the same history, grown the same way.
  const rawStream = async (text: string): Promise<Timing> => {
    const messages: Message[] = [...history, { role: 'user', content: [{ text }] }];
    const started = performance.now();
    let first = 0;
    let last = 0;
    let reply = '';
    const response = await raw.send(
      new ConverseStreamCommand({ modelId: 'local.bench', messages }),
    );
    for await (const event of response.stream!) {
      const chunk = event.contentBlockDelta?.delta?.text;
      if (chunk === undefined) continue;
      last = performance.now() - started;
      if (first === 0) first = last;
      reply += chunk;
    }
    history = [...messages, { role: 'assistant', content: [{ text: reply }] }];
    return { first, last };
  };

  const warmup = 50;
  const { raw: rawTimes, client: clientTimes } = await pairedRuns({
    warmup,
    runs: streams,
    before: async (i) => {
      if (i % TURNS_PER_CONVERSATION === 0) {
        conversationId = await client.createConversation();
        history = [];
      }
    },
    paths: {
      raw: (i) => rawStream(`Message number ${i} of the benchmark.`),
      client: (i) => clientStream(`Message number ${i} of the benchmark.`),
    },
  });
  await server.close();
  raw.destroy();

  const fmt = (ms: number) => ms.toFixed(3);
  const row = (name: string, times: Timing[]) =>
    `| ${name} | ${fmt(median(times.map((t) => t.first)))} | ${fmt(
      quantile(
        times.map((t) => t.first),
        0.9,
      ),
    )} | ${fmt(median(times.map((t) => t.last)))} | ${fmt(
      quantile(
        times.map((t) => t.last),
        0.9,
      ),
    )} |`;
  const addedFirst = median(clientTimes.map((t) => t.first)) - median(rawTimes.map((t) => t.first));
  const addedLast = median(clientTimes.map((t) => t.last)) - median(rawTimes.map((t) => t.last));
  return [
    `Streamed turns, median of ${streams} streams (after ${warmup} warm-up), ${Array.from(REPLY).length}-character reply in 8-character chunks, conversations of ${TURNS_PER_CONVERSATION} turns, HTTP/2, scripted model. ${machine()}.`,
    '',
    '| path | first chunk, median ms | p90 ms | last chunk, median ms | p90 ms |',
    '|---|---:|---:|---:|---:|',
    row('raw `ConverseStreamCommand`', rawTimes),
    row('`ConverseClient.sendMessageStreaming`', clientTimes),
    '',
    `**Added to the first chunk: ${fmt(addedFirst)} ms** (target ≤ 1 ms); added to the last chunk: ${fmt(addedLast)} ms. The client's loop ends after the turn is stored; "last chunk" is when the last text arrived.`,
  ].join('\n');
}
