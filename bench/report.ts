import { readFile, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';

const file = new URL('../docs/benchmarks.md', import.meta.url);

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}

export function machine(): string {
  return `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${new Date().toISOString().slice(0, 10)}`;
}

/** Replaces the section between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` in docs/benchmarks.md. */
export async function writeSection(name: string, content: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < 0) throw new Error(`docs/benchmarks.md has no ${start} … ${end} section`);
  await writeFile(file, `${text.slice(0, from + start.length)}\n${content}\n${text.slice(to)}`);
}

/**
 * Runs every path once per round, `warmup + runs` rounds (after `before(i)`), reversing the order
 * every other round so drift and warm caches favour none, and keeps each path's measures after the
 * warm-up.
 */
export async function pairedRuns<K extends string, T>(options: {
  warmup: number;
  runs: number;
  before?: (i: number) => Promise<void>;
  paths: Record<K, (i: number) => Promise<T>>;
}): Promise<Record<K, T[]>> {
  const names = Object.keys(options.paths) as K[];
  const measures = Object.fromEntries(names.map((name) => [name, [] as T[]])) as Record<K, T[]>;
  for (let i = 0; i < options.warmup + options.runs; i++) {
    await options.before?.(i);
    for (const name of i % 2 === 0 ? names : [...names].reverse()) {
      const measure = await options.paths[name](i);
      if (i >= options.warmup) measures[name].push(measure);
    }
  }
  return measures;
}
