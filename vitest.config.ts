import { readdirSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const workspaces = ['packages', 'examples'].flatMap((dir) =>
  readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => `${dir}/${entry.name}`),
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
        name: root.split('/')[1],
        root,
        include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      },
    })),
  },
});
