// Runs the quota example as a user would and reads what it prints.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runTs } from '../../../scripts/run-ts.js';

const root = fileURLToPath(new URL('..', import.meta.url));

const run = (args: string[]) => runTs('src/index.ts', args, { cwd: root });

describe('examples/quota', () => {
  it('answers 50 conversations under a small quota with no throttle, showing progress', async () => {
    const { code, stdout, stderr } = await run(['--window', '1500']);
    expect(stderr).toContain('SCRIPTED local model');
    expect(code).toBe(0);
    expect(stdout).toMatch(/done \d+\/50 {2}waiting \d+/);
    expect(stdout).toMatch(
      /All 50 conversations answered in [\d.]+ s\. Throttles: 0 at the server, 0 seen/,
    );
  }, 60_000);
});
