// The corpus and its search tool. Documents are split into passages (paragraphs) and indexed with
// MiniSearch (BM25 ranking, prefix and fuzzy matching), a small maintained full-text engine.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineTool } from '@bedrock-converse/tools';
import MiniSearch from 'minisearch';
import { z } from 'zod';

export interface Passage {
  id: string;
  source: string;
  title: string;
  text: string;
}

export const defaultCorpus = fileURLToPath(new URL('../corpus', import.meta.url));

/** The passages of every Markdown file in `folder`: one per paragraph, titled by the file's heading. */
export function loadPassages(folder: string = defaultCorpus): Passage[] {
  return readdirSync(folder)
    .filter((file) => file.endsWith('.md'))
    .sort()
    .flatMap((source) => {
      const text = readFileSync(join(folder, source), 'utf8');
      const title = /^#\s+(.+)$/m.exec(text)?.[1] ?? source;
      return text
        .split(/\n\s*\n/)
        .map((p) => p.trim())
        .filter((p) => p !== '' && !p.startsWith('#'))
        .map((paragraph, i) => ({ id: `${source}#${i + 1}`, source, title, text: paragraph }));
    });
}

export function searchIndex(passages: Passage[]) {
  const index = new MiniSearch<Passage>({
    fields: ['title', 'text'],
    storeFields: ['source', 'title', 'text'],
    searchOptions: { boost: { title: 2 }, prefix: true, fuzzy: 0.2 },
  });
  index.addAll(passages);
  return index;
}

/** The search tool over a corpus folder. */
export function searchTool(folder: string = defaultCorpus) {
  const index = searchIndex(loadPassages(folder));
  return defineTool({
    name: 'search_documents',
    description:
      "Searches the Millbrook Public Library's documents (hours, membership, loans and fees, events, facilities) and returns the best matching passages with their source.",
    input: z.object({
      query: z.string().min(2).describe('What to look for, in a few words'),
      limit: z.number().int().min(1).max(5).default(3).describe('How many passages, 1 to 5'),
    }),
    run: ({ query, limit }) => ({
      results: index
        .search(query)
        .slice(0, limit)
        .map((hit) => ({
          id: hit.id as string,
          source: hit.source as string,
          title: hit.title as string,
          text: hit.text as string,
          score: Math.round(hit.score * 100) / 100,
        })),
    }),
  });
}
