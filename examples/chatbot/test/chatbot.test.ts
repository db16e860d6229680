// Runs the chatbot as a user would, with piped input, and reads what it prints.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

function chat(input: string, args: string[] = []) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', 'src/index.ts', ...args],
      {
        cwd: root,
        stdio: ['pipe', 'pipe', 'pipe'],
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
    child.stdin.end(input);
  });
}

describe('examples/chatbot', () => {
  it('answers piped messages offline, remembers earlier turns, and exits 0', async () => {
    const { code, stdout, stderr } = await chat('hello\nmy name is Ada\nwhat is my name?\n');
    expect(code).toBe(0);
    expect(stderr).toContain('SCRIPTED local model');
    expect(stdout.split('\n').filter(Boolean)).toStrictEqual([
      'you> hello',
      expect.stringMatching(/^assistant> Hello! I am the scripted offline model/),
      'you> my name is Ada',
      'assistant> Nice to meet you, Ada! I will remember your name for this conversation.',
      'you> what is my name?',
      'assistant> Your name is Ada: you told me earlier in this conversation.',
    ]);
    expect(stderr).toMatch(/\(6 messages, \d+ input and \d+ output tokens\)/);
  });
});
