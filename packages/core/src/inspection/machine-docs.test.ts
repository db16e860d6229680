import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { conversationMachine } from '../machines/conversation-machine.js';
import { toMermaid } from './to-mermaid.js';

const doc = new URL('../../../../docs/machines/conversation.md', import.meta.url);

describe('docs/machines', () => {
  it('conversation.md shows the machine as it is (regenerate: pnpm docs:machines)', () => {
    const diagram = toMermaid(conversationMachine);
    expect(diagram).toContain('callingModel --> committing: turn.replied [isCurrentTask]');
    expect(readFileSync(doc, 'utf8')).toContain(`\`\`\`mermaid\n${diagram}\`\`\``);
  });
});
