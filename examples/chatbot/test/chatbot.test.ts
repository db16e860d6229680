// Runs the chatbot as a user would, with piped input, and reads what it prints.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runTs } from '../../../scripts/run-ts.js';

const root = fileURLToPath(new URL('..', import.meta.url));

const chat = (input: string, args: string[] = []) =>
  runTs('src/index.ts', args, { cwd: root, input });

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
