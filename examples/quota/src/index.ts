// 50 conversations at once under a small quota (requests and tokens per "minute"): the
// QuotaScheduler paces them so the service never throttles, and shows how far along they are.
// Offline: the local server plays Bedrock and enforces the same quota (429 when exceeded).
//   pnpm --filter @bedrock-converse/example-quota start
//   pnpm --filter @bedrock-converse/example-quota start -- --redis redis://127.0.0.1:6379   (shared)
// --window sets the length of the quota "minute" in ms (default 3000, so the run takes seconds).
import { parseArgs } from 'node:util';
import { ConverseClient } from '@bedrock-converse/core';
import { QuotaScheduler } from '@bedrock-converse/limits';
import { runMain, scriptedRuntime, startServer } from '@bedrock-converse/local';
import { bedrockRuntime } from '@bedrock-converse/runtime';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values } = parseArgs({
  options: {
    conversations: { type: 'string', default: '50' },
    rpm: { type: 'string', default: '20' },
    tpm: { type: 'string', default: '1200' },
    window: { type: 'string', default: '3000' },
    redis: { type: 'string' },
  },
});
const conversations = Number(values.conversations);
const rpm = Number(values.rpm);
const tpm = Number(values.tpm);
const windowMs = Number(values.window);

async function main(): Promise<number> {
  const server = await startServer({
    runtime: scriptedRuntime({ respond: () => 'Noted. Here is a short, useful answer.' }),
    quota: { rpm, tpm, windowMs },
  });
  const quota = await QuotaScheduler.create({
    rpm,
    tpm,
    windowMs,
    ...(values.redis ? { redis: values.redis, key: 'example-quota' } : {}),
  });
  console.error(
    `Offline: the SCRIPTED local model behind a server enforcing ${rpm} requests and ${tpm} tokens per ${windowMs / 1000} s; quota kept in ${quota.store}.`,
  );
  const client = new ConverseClient({
    modelId: 'local.scripted',
    runtime: bedrockRuntime(server.clientConfig),
    quota,
    inferenceConfig: { maxTokens: 30 },
  });

  let done = 0;
  const started = Date.now();
  const progress = setInterval(async () => {
    const s = await quota.stats();
    console.log(
      `${((Date.now() - started) / 1000).toFixed(1)}s  done ${done}/${conversations}  waiting ${s.queued}  running ${s.running}  this window: ${s.requestsThisWindow} requests, ${s.tokensThisWindow} tokens  rate ${s.effectiveRpm} rpm / ${s.effectiveTpm} tpm`,
    );
  }, windowMs / 4);

  try {
    await Promise.all(
      Array.from({ length: conversations }, async (_, i) => {
        const id = await client.createConversation();
        await client.sendMessage({
          conversationId: id,
          message: `Conversation ${i}: please summarise the plan for item ${i} in one line.`,
          // Every fifth conversation is background work: interactive ones go first.
          priority: i % 5 === 0 ? 'batch' : 'interactive',
        });
        done += 1;
      }),
    );
  } finally {
    clearInterval(progress);
  }
  const s = await quota.stats();
  console.log(
    `All ${done} conversations answered in ${((Date.now() - started) / 1000).toFixed(1)} s. Throttles: ${server.quota!.throttled} at the server, ${s.throttles} seen by the scheduler.`,
  );
  await quota.close();
  await server.close();
  return server.quota!.throttled === 0 ? 0 : 1;
}

runMain(main);
