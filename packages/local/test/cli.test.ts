// The installed command, as a user runs it: `bedrock-converse-local serve`.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../bin/bedrock-converse-local.js', import.meta.url));

describe('bedrock-converse-local serve', () => {
  it('serves the scripted model on the port it prints, until SIGTERM', async () => {
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const match = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (match) resolve(match[1]!);
      });
      child.on('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
    });
    const client = new BedrockRuntimeClient({
      endpoint: url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      maxAttempts: 1,
    });
    const result = await client.send(
      new ConverseCommand({
        modelId: 'any.model',
        messages: [{ role: 'user', content: [{ text: 'hello' }] }],
      }),
    );
    expect(result.output?.message?.content?.[0]?.text).toMatch(
      /^Hello! I am the scripted offline model/,
    );
    const exit = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  });

  it('prints its usage for anything but serve', async () => {
    const child = spawn(process.execPath, [bin, 'help-me'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(out).toContain('Usage: bedrock-converse-local serve');
  });
});
