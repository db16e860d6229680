// Runs a TypeScript file in a child Node process as a user would run it (workspace packages from
// their sources), and collects what it prints. Shared by the example, wire and benchmark suites.
import { spawn } from 'node:child_process';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runTs(
  file: string,
  args: string[] = [],
  options: { cwd?: string; input?: string; stderr?: 'pipe' | 'inherit' } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', file, ...args],
      {
        ...(options.cwd ? { cwd: options.cwd } : {}),
        stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', options.stderr ?? 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => {
      stdout += d;
    });
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** The JSON a worker prints on its last line, or an error saying how it ended. */
export async function lastJsonLine<T>(run: Promise<RunResult>): Promise<T> {
  const { code, stdout, stderr } = await run;
  if (code !== 0) throw new Error(`the worker exited with ${code}: ${stderr.trim()}`);
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as T;
}
