// Writes docs/machines/*.md from the machines themselves (pnpm docs:machines).
import { writeFileSync } from 'node:fs';
import { conversationMachine, toMermaid, toolLoopMachine } from '@bedrock-converse/core';

const machines: Array<
  [file: string, title: string, source: string, machine: Parameters<typeof toMermaid>[0]]
> = [
  ['conversation.md', 'The conversation machine', 'conversation-machine.ts', conversationMachine],
  ['tool-loop.md', 'The tool-loop machine', 'tool-loop-machine.ts', toolLoopMachine],
];

for (const [file, title, source, machine] of machines) {
  const text = `# ${title}

Generated from \`packages/core/src/machines/${source}\` by \`pnpm docs:machines\`;
a test fails when this file is stale.

\`\`\`mermaid
${toMermaid(machine)}\`\`\`
`;
  writeFileSync(new URL(`../docs/machines/${file}`, import.meta.url), text);
  console.log(`wrote docs/machines/${file}`);
}
