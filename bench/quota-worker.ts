// One worker process of the quota benchmark: runs its turns through ConverseClient under a
// QuotaScheduler shared through Redis, against the benchmark's server, and prints what it saw.
import { parseArgs } from 'node:util';
import { ConverseClient } from '@bedrock-converse/core';
import { QuotaScheduler } from '@bedrock-converse/limits';
import { bedrockRuntime } from '@bedrock-converse/runtime';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    redis: { type: 'string' },
    key: { type: 'string' },
    turns: { type: 'string' },
    window: { type: 'string' },
    rpm: { type: 'string' },
    tpm: { type: 'string' },
    parallel: { type: 'string', default: '4' },
  },
});

const quota = await QuotaScheduler.create({
  rpm: Number(values.rpm),
  tpm: Number(values.tpm),
  windowMs: Number(values.window),
  redis: values.redis!,
  key: values.key!,
});
const client = new ConverseClient({
  modelId: 'local.bench',
  runtime: bedrockRuntime({
    endpoint: values.url!,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
  }),
  quota,
  inferenceConfig: { maxTokens: 50 },
});
const question = (i: number) =>
  `Question ${i}: ${Array.from({ length: 100 }, (_, k) => `word${(i + k) % 50}`).join(' ')}?`;

let next = 0;
const total = Number(values.turns);
let failures = 0;
await Promise.all(
  Array.from({ length: Number(values.parallel) }, async () => {
    while (next < total) {
      const i = next++;
      try {
        const id = await client.createConversation();
        await client.sendMessage({ conversationId: id, message: question(i) });
      } catch (error) {
        failures += 1;
        console.error(`turn ${i}: ${(error as Error).name}: ${(error as Error).message}`);
      }
    }
  }),
);
const stats = await quota.stats();
console.log(JSON.stringify({ turns: total, failures, throttles: stats.throttles }));
await quota.close();
