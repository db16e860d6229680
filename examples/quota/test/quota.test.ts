// Runs the quota example as a user would and reads what it prints.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

function run(args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', 'src/index.ts', ...args],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

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
