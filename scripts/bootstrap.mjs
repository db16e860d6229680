#!/usr/bin/env node
// Entry point of the README's two commands on a fresh machine that has only Node and npm.
// It installs the workspace with the pinned pnpm (fetched through npx from the npm registry),
// then runs one workspace script with that same pnpm on PATH:
//   node scripts/bootstrap.mjs chat    -> the offline chatbot (stdin is passed through)
//   node scripts/bootstrap.mjs check   -> lint, typecheck and every test
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const task = process.argv[2];
const extra = process.argv.slice(3);
if (!task) {
  console.error('usage: node scripts/bootstrap.mjs <script> [args...]');
  process.exit(2);
}

function pnpm(args, stdio) {
  const result = spawnSync('npx', ['--yes', packageManager, ...args], {
    cwd: root,
    stdio,
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

const quiet = task === 'chat';
const installStatus = pnpm(
  ['install', '--frozen-lockfile', ...(quiet ? ['--reporter=silent'] : [])],
  ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'],
);
if (installStatus !== 0) {
  console.error(`bootstrap: "${packageManager} install" failed with exit code ${installStatus}`);
  process.exit(installStatus);
}
process.exit(pnpm(['--silent', 'run', task, ...extra], 'inherit'));
