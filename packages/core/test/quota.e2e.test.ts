// Quotas end to end: the conversation machine waits for quota, through the real AWS SDK client
// against the local server enforcing requests and tokens per (short) minute.
import { QuotaScheduler } from '@bedrock-converse/limits';
import { type LocalServer, scriptedRuntime, startServer } from '@bedrock-converse/local';
import { bedrockRuntime } from '@bedrock-converse/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { ConverseClient } from '../src/index.js';

let server: LocalServer | undefined;
const schedulers: QuotaScheduler[] = [];
afterEach(async () => {
  await Promise.all(schedulers.splice(0).map((s) => s.close()));
  await server?.close();
  server = undefined;
});

const reply = 'A short answer of about ten words, give or take a few.';
const message = (i: number) =>
  `Message ${i}: ${Array.from({ length: 40 }, (_, k) => `w${k}`).join(' ')}`;

async function setUp(
  serverQuota: { rpm: number; tpm: number },
  schedulerQuota: typeof serverQuota,
  windowMs: number,
) {
  server = await startServer({
    runtime: scriptedRuntime({ respond: () => reply }),
    quota: { ...serverQuota, windowMs },
  });
  const quota = await QuotaScheduler.create({ ...schedulerQuota, windowMs, marginMs: 100 });
  schedulers.push(quota);
  const states = new Set<string>();
  const client = new ConverseClient({
    modelId: 'local.scripted',
    runtime: bedrockRuntime(server.clientConfig),
    quota,
    inferenceConfig: { maxTokens: 40 },
    retry: { maxAttempts: 6, baseDelayMs: 5, throttleBaseDelayMs: 20 },
    inspect: (event: InspectionEvent) => {
      if (event.type === '@xstate.snapshot') {
        const value = (event.snapshot as { value?: unknown }).value;
        if (typeof value === 'string') states.add(value);
      }
    },
  });
  return { server, quota, client, states };
}

/** `conversations` conversations, each sending turns back to back until `until`. */
async function load(client: ConverseClient, conversations: number, until: number) {
  let turns = 0;
  await Promise.all(
    Array.from({ length: conversations }, async () => {
      const id = await client.createConversation();
      let i = 0;
      while (Date.now() < until) {
        // A fresh conversation every few turns keeps each request about the same size.
        const conversationId = i % 3 === 0 ? await client.createConversation() : id;
        await client.sendMessage({ conversationId, message: message(i++) });
        turns += 1;
      }
    }),
  );
  return turns;
}

describe('turns under a quota', () => {
  it('wait in waitingForQuota and never draw a throttle when the scheduler has the same numbers', async () => {
    const { server, quota, client, states } = await setUp(
      { rpm: 600, tpm: 3000 },
      { rpm: 600, tpm: 3000 },
      500,
    );
    const turns = await load(client, 6, Date.now() + 2000);
    expect([...states]).toContain('waitingForQuota');
    expect(server.quota!.throttled).toBe(0);
    expect(turns).toBeGreaterThan(20);
    const stats = await client.getQuotaStats();
    expect(stats).toMatchObject({ throttles: 0, effectiveTpm: 3000, key: 'default' });
    expect(stats!.tokensThisWindow).toBeLessThanOrEqual(3000);
    // The client reports its scheduler's numbers.
    expect((await quota.stats()).effectiveTpm).toBe(stats!.effectiveTpm);
  });

  it('set 50 % above the real quota, converges: throttles stop within 2 windows', async () => {
    const windowMs = 500;
    const { server, client } = await setUp(
      { rpm: 1000, tpm: 3000 },
      { rpm: 1000, tpm: 4500 },
      windowMs,
    );
    const start = Date.now();
    const perWindow: number[] = [];
    const watching = (async () => {
      let seen = 0;
      for (let w = 0; w < 10; w++) {
        await new Promise((r) => setTimeout(r, start + (w + 1) * windowMs - Date.now()));
        perWindow.push(server.quota!.throttled - seen);
        seen = server.quota!.throttled;
      }
    })();
    await load(client, 8, start + 10 * windowMs);
    await watching;
    // The scheduler did overshoot at first…
    expect(perWindow.slice(0, 2).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    // …and from the third window on, the service saw no more throttles.
    expect(perWindow.slice(2)).toStrictEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    // It came down from the 4 500 it was told, without collapsing. (Its numbers are its own
    // estimates, a little above what the service counts, so they may sit a little above 3 000.)
    const stats = await client.getQuotaStats();
    expect(stats!.throttles).toBeGreaterThan(0);
    expect(stats!.effectiveTpm).toBeLessThan(3400);
    expect(stats!.effectiveTpm).toBeGreaterThan(2000);
  });
});
