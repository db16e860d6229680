// Four processes share one Bedrock quota through Redis: the server enforces it (RPM and TPM over a
// sliding window, 429 ThrottlingException when exceeded) and the schedulers are set to the same
// numbers. Measures throttles seen by the server and the tokens per window achieved.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { QuotaScheduler } from '@bedrock-converse/limits';
import { scriptedRuntime, startServer } from '@bedrock-converse/local';
import type { ModelRuntime } from '@bedrock-converse/runtime';
import { lastJsonLine, runTs } from '../scripts/run-ts.js';
import { machine } from './report.js';

const RPM = 60;
const TPM = 6000;
const PROCESSES = 4;
const TURNS = 200;

export async function quotaCluster({
  windowMs,
  redis,
}: {
  windowMs: number;
  redis: string;
}): Promise<string> {
  const scripted = scriptedRuntime({
    respond: () =>
      `An answer of about thirty words: ${Array.from({ length: 25 }, (_, k) => `w${k}`).join(' ')}.`,
  });
  let tokens = 0;
  let first = 0;
  let last = 0;
  const counting: ModelRuntime = {
    ...scripted,
    async converse(input, call) {
      first ||= Date.now();
      const result = await scripted.converse(input, call);
      tokens += result.usage?.totalTokens ?? 0;
      last = Date.now();
      return result;
    },
  };
  const server = await startServer({
    runtime: counting,
    quota: { rpm: RPM, tpm: TPM, windowMs },
  });
  const key = `bench-${randomUUID()}`;
  await QuotaScheduler.reset(redis, key);

  const worker = fileURLToPath(new URL('./quota-worker.ts', import.meta.url));
  const results = await Promise.all(
    Array.from({ length: PROCESSES }, () =>
      lastJsonLine<{ turns: number; failures: number; throttles: number }>(
        runTs(
          worker,
          [
            `--url=${server.url}`,
            `--redis=${redis}`,
            `--key=${key}`,
            `--turns=${TURNS / PROCESSES}`,
            `--window=${windowMs}`,
            `--rpm=${RPM}`,
            `--tpm=${TPM}`,
          ],
          { stderr: 'inherit' },
        ),
      ),
    ),
  );
  await server.close();

  const elapsedWindows = (last - first) / windowMs;
  const perWindow = tokens / elapsedWindows;
  const failures = results.reduce((sum, r) => sum + r.failures, 0);
  return [
    `${TURNS} turns from ${PROCESSES} processes sharing one quota through Redis (${redis}); server and schedulers at RPM ${RPM} / TPM ${TPM} per window, window ${windowMs / 1000} s (a scaled minute). ${machine()}.`,
    '',
    '| turns | failed | throttles at the server | tokens | windows elapsed | tokens per window | of quota |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    `| ${results.reduce((s, r) => s + r.turns, 0)} | ${failures} | ${server.quota!.throttled} | ${tokens} | ${elapsedWindows.toFixed(2)} | ${Math.round(perWindow)} | **${((perWindow / TPM) * 100).toFixed(1)} %** |`,
    '',
    'Target: 0 throttles and at least 95 % of the token quota.',
  ].join('\n');
}
