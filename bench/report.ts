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
 * Runs `raw` and `client` side by side `warmup + runs` times (after `before(i)`), alternating which
 * goes first so drift and warm caches favour neither, and keeps the measures after the warm-up.
 */
export async function pairedRuns<T>(options: {
  warmup: number;
  runs: number;
  before?: (i: number) => Promise<void>;
  raw: (i: number) => Promise<T>;
  client: (i: number) => Promise<T>;
}): Promise<{ raw: T[]; client: T[] }> {
  const raw: T[] = [];
  const client: T[] = [];
  for (let i = 0; i < options.warmup + options.runs; i++) {
    await options.before?.(i);
    let r: T;
    let c: T;
    if (i % 2 === 0) {
      r = await options.raw(i);
      c = await options.client(i);
    } else {
      c = await options.client(i);
      r = await options.raw(i);
    }
    if (i >= options.warmup) {
      raw.push(r);
      client.push(c);
    }
  }
  return { raw, client };
}
