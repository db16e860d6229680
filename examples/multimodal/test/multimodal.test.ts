// Runs the multimodal example as a user would and reads what it prints.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runTs } from '../../../scripts/run-ts.js';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('examples/multimodal', () => {
  it('sends the bundled image offline and shows a mis-declared one refused before sending', async () => {
    const { code, stdout, stderr } = await runTs('src/index.ts', [], { cwd: root });
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
