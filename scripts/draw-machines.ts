// Writes docs/machines/*.md from the machines themselves (pnpm docs:machines).
import { writeFileSync } from 'node:fs';
import { conversationMachine, toMermaid } from '@bedrock-converse/core';

const text = `# The conversation machine

Generated from \`packages/core/src/machines/conversation-machine.ts\` by \`pnpm docs:machines\`;
a test fails when this file is stale.

\`\`\`mermaid
${toMermaid(conversationMachine)}\`\`\`
`;
writeFileSync(new URL('../docs/machines/conversation.md', import.meta.url), text);
console.log('wrote docs/machines/conversation.md');
