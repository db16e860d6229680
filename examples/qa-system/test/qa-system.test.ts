// Runs the Q&A example as a user would (piped questions) and reads what it prints.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runTs } from '../../../scripts/run-ts.js';
import { loadPassages, searchTool } from '../src/corpus-search.js';

const root = fileURLToPath(new URL('..', import.meta.url));

const ask = (input: string) => runTs('src/index.ts', [], { cwd: root, input });

describe('examples/qa-system', () => {
  it('answers piped questions from the corpus through the search tool, citing sources', async () => {
    const { code, stdout, stderr } = await ask(
      'How much are late fees for films?\nWhen does the book club meet?\nCan I bring my dog?\n',
    );
    expect(stderr).toContain('SCRIPTED local model');
    expect(code).toBe(0);
    expect(stdout).toContain(
      'A: Late fees are 20 cents per day for books and 1 euro per day for films and games, up to a maximum of 10 euros per item. [source: loans-and-fees.md]',
    );
    expect(stdout).toContain(
      'A: The book club meets on the first Thursday of each month at 19:00. [source: events.md]',
    );
    expect(stdout).toContain("A: I could not find that in the library's documents.");
    expect(stdout.match(/\(searched 1×; passages: /g)).toHaveLength(3);
  });
});

describe('the search tool', () => {
  it('splits the corpus into passages and ranks the matching one first', async () => {
    const passages = loadPassages();
    expect(passages.length).toBeGreaterThanOrEqual(10);
    expect(new Set(passages.map((p) => p.source)).size).toBe(5);
    const tool = searchTool();
    const parsed = tool.parse({ query: 'study rooms' });
    expect(parsed.ok).toBe(true);
    const output = (await tool.run(parsed.ok ? parsed.value : never(), {
      signal: new AbortController().signal,
      toolUseId: 't',
    })) as { results: { id: string }[] };
    expect(output.results.length).toBeGreaterThanOrEqual(1);
    expect(output.results[0]!.id).toBe('facilities.md#2');
    expect(tool.parse({ query: 'x', limit: 9 }).ok).toBe(false);
  });
});

function never(): never {
  throw new Error('unreachable');
}
