import { randomUUID } from 'node:crypto';
import { AbortError, QuotaQueueFull, QuotaStoreUnavailable } from '@bedrock-converse/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { AdaptiveRate } from './adaptive-rate.js';
import { QuotaScheduler } from './quota-scheduler.js';

const redis = 'redis://127.0.0.1:6379';
const open: QuotaScheduler[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});
async function scheduler(options: Parameters<typeof QuotaScheduler.create>[0]) {
  const s = await QuotaScheduler.create(options);
  open.push(s);
  return s;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('QuotaScheduler (in process)', () => {
  it.each([
    ['3× too high', 3],
    ['3× too low', 1 / 3],
  ])(
    'reconciles estimates %s: the accounting ends equal to the real usage',
    async (_what, factor) => {
      const s = await scheduler({ rpm: 1000, tpm: 10_000, windowMs: 400, marginMs: 20 });
      const actual = [300, 500, 700];
      for (const used of actual) {
        const grant = await s.reserve({ inputTokens: used * factor, maxTokens: 0 });
        expect(grant.reservedTokens).toBe(Math.ceil(used * factor));
        grant.settle({ tokensUsed: used });
      }
      await sleep(5);
      const during = await s.stats();
      expect(during.tokensThisWindow).toBe(1500);
      expect(during.availableTokens).toBe(10_000 - 1500);
      expect(during.requestsThisWindow).toBe(3);
      await sleep(450);
      const after = await s.stats();
      expect(after.tokensThisWindow).toBe(0);
      expect(after.availableTokens).toBe(10_000);
    },
  );

  it('makes a request wait until the window frees what it needs', async () => {
    const s = await scheduler({ rpm: 1000, tpm: 1000, windowMs: 300, marginMs: 10 });
    const first = await s.reserve({ inputTokens: 800, maxTokens: 0 });
    const started = Date.now();
    first.settle({ tokensUsed: 800 });
    const second = await s.reserve({ inputTokens: 400, maxTokens: 0 });
    // Waited for the first request's tokens to leave the window.
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    second.settle({ tokensUsed: 400 });
  });

  it('refuses a request once maxQueued are waiting, with QuotaQueueFull', async () => {
    const s = await scheduler({ rpm: 1000, tpm: 100, windowMs: 1000, maxQueued: 1 });
    const holding = await s.reserve({ inputTokens: 100, maxTokens: 0 });
    const waiting = s.reserve({ inputTokens: 50, maxTokens: 0 });
    await expect(s.reserve({ inputTokens: 50, maxTokens: 0 })).rejects.toBeInstanceOf(
      QuotaQueueFull,
    );
    holding.settle({ failed: true });
    (await waiting).settle({ failed: true });
  });

  it('never runs a waiting request whose signal aborts, and gives its reservation back', async () => {
    const s = await scheduler({ rpm: 1000, tpm: 100, windowMs: 1000 });
    const holding = await s.reserve({ inputTokens: 100, maxTokens: 0 });
    const controller = new AbortController();
    const waiting = s.reserve({ inputTokens: 60, maxTokens: 0, signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbortError);
    holding.settle({ failed: true });
    await sleep(20);
    expect((await s.stats()).availableTokens).toBe(100);
    expect((await s.stats()).running).toBe(0);
  });

  it('runs interactive turns before batch work', async () => {
    const s = await scheduler({ rpm: 1000, tpm: 100, windowMs: 1000 });
    const holding = await s.reserve({ inputTokens: 100, maxTokens: 0 });
    const order: string[] = [];
    const batch = s.reserve({ inputTokens: 10, maxTokens: 0, priority: 'batch' }).then((g) => {
      order.push('batch');
      return g;
    });
    const interactive = s
      .reserve({ inputTokens: 10, maxTokens: 0, priority: 'interactive' })
      .then((g) => {
        order.push('interactive');
        return g;
      });
    // Let Bottleneck register both (scheduling is asynchronous), then free the capacity.
    await sleep(30);
    holding.settle({ failed: true });
    for (const grant of await Promise.all([batch, interactive])) grant.settle({ failed: true });
    expect(order).toStrictEqual(['interactive', 'batch']);
  });

  it('on a throttle, lowers the rate to under what was really in use, and restores it only that far', async () => {
    const s = await scheduler({ rpm: 6000, tpm: 10_000, windowMs: 100 });
    const big = await s.reserve({ inputTokens: 5000, maxTokens: 0 });
    const throttled = await s.reserve({ inputTokens: 1000, maxTokens: 0 });
    // 6 000 of 10 000 were in use when the service said no: it takes about that much.
    throttled.settle({ throttled: true });
    big.settle({ tokensUsed: 5000 });
    const after = await s.stats();
    expect(after.throttles).toBe(1);
    expect(after.effectiveTpm).toBe(5700);
    await sleep(110);
    for (let i = 0; i < 50; i++) {
      (await s.reserve({ inputTokens: 1, maxTokens: 0 })).settle({ tokensUsed: 1 });
    }
    expect((await s.stats()).effectiveTpm).toBe(5700);
  });
});

describe('AdaptiveRate', () => {
  it('cuts by 0.7, restores by 0.05 per 10 successes after a calm window, up to 90 % of the throttled rate', () => {
    let now = 0;
    const applied: number[] = [];
    const rate = new AdaptiveRate((f) => applied.push(f), { windowMs: 1000, now: () => now });
    rate.throttled();
    expect(rate.factor).toBe(0.7);
    // A throttle of a request already in flight does not cut again.
    now = 100;
    rate.throttled();
    expect(rate.factor).toBe(0.7);
    // Successes in the same window restore nothing.
    for (let i = 0; i < 20; i++) rate.success();
    expect(rate.factor).toBe(0.7);
    now = 2000;
    for (let i = 0; i < 100; i++) rate.success();
    expect(rate.factor).toBeCloseTo(0.9);
    // Throttled again at 0.9: the ceiling drops to 0.81.
    rate.throttled();
    now = 4000;
    for (let i = 0; i < 100; i++) rate.success();
    expect(rate.factor).toBeCloseTo(0.81);
    // After 10 calm windows the ceiling rises by 5 %.
    now = 15_000;
    for (let i = 0; i < 10; i++) rate.success();
    expect(rate.ceiling).toBeCloseTo(0.8505);
    expect(applied.length).toBeGreaterThan(3);
  });
});

describe('QuotaScheduler shared through Redis', () => {
  it('shares one budget between schedulers (as between processes)', async () => {
    const key = `test-${randomUUID()}`;
    const a = await scheduler({ rpm: 1000, tpm: 1000, windowMs: 400, marginMs: 10, redis, key });
    const b = await scheduler({ rpm: 1000, tpm: 1000, windowMs: 400, marginMs: 10, redis, key });
    const grant = await a.reserve({ inputTokens: 800, maxTokens: 0 });
    let bRan = false;
    const waiting = b.reserve({ inputTokens: 300, maxTokens: 0 }).then((g) => {
      bRan = true;
      return g;
    });
    await sleep(100);
    expect(bRan).toBe(false);
    expect(await b.stats().then((s) => s.availableTokens)).toBe(200);
    // The unused part of A's reservation comes back at once and lets B run.
    grant.settle({ tokensUsed: 500 });
    (await waiting).settle({ tokensUsed: 300 });
    expect(bRan).toBe(true);
    expect(await a.stats().then((s) => s.availableTokens)).toBe(200);
  });

  it('fails clearly, naming the URL, when Redis cannot be reached (no silent fallback)', async () => {
    const error = await QuotaScheduler.create({
      rpm: 1,
      tpm: 1,
      redis: 'redis://127.0.0.1:6399',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuotaStoreUnavailable);
    expect((error as Error).message).toContain('redis://127.0.0.1:6399');
  });
});
