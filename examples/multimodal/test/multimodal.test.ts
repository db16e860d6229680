// Runs the multimodal example as a user would and reads what it prints.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('examples/multimodal', () => {
  it('sends the bundled image offline and shows a mis-declared one refused before sending', async () => {
    const { code, stdout, stderr } = await new Promise<{
      code: number | null;
      stdout: string;
      stderr: string;
    }>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--conditions=source', '--import', 'tsx', 'src/index.ts'],
        {
          cwd: root,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
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
    expect(stderr).toContain('SCRIPTED local model');
    expect(code).toBe(0);
    expect(stdout).toContain('you> [sunset.png] What do you see in this image?');
    expect(stdout).toMatch(
      /assistant> I received a PNG image, 160 × 90 pixels, [\d.]+ (bytes|kB)\./,
    );
    expect(stdout).toMatch(
      /refused before sending: ValidationException: .*declared as jpeg, but its bytes are a png image/,
    );
    expect(stdout).toContain('(2 messages stored; the refused one was not)');
  });
});
