import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Absolute, so vitest also works when started from inside a package.
const repo = fileURLToPath(new URL('.', import.meta.url));
const workspaces = ['packages', 'examples'].flatMap((dir) =>
  readdirSync(join(repo, dir), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(repo, dir, entry.name)),
);

export default defineConfig({
  // Workspace packages resolve to their TypeScript sources: tests never need a build first.
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    testTimeout: 20_000,
    hookTimeout: 20_000,
    projects: workspaces.map((root) => ({
      extends: true,
      test: {
        name: basename(root),
        root,
        include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      },
    })),
  },
});
