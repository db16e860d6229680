import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { conversationMachine } from '../machines/conversation-machine.js';
import { toolLoopMachine } from '../machines/tool-loop-machine.js';
import { toMermaid } from './to-mermaid.js';

const doc = (file: string) => new URL(`../../../../docs/machines/${file}`, import.meta.url);

describe('docs/machines', () => {
  it.each([
    [
      'conversation.md',
      conversationMachine,
      'callingModel --> committing: turn.replied [isCurrentTask]',
    ],
    [
      'tool-loop.md',
      toolLoopMachine,
      'deciding --> runningTools: always [wantsTools and hasStepsLeft]',
    ],
  ] as const)(
    '%s shows the machine as it is (regenerate: pnpm docs:machines)',
    (file, machine, line) => {
      const diagram = toMermaid(machine);
      expect(diagram).toContain(line);
      expect(readFileSync(doc(file), 'utf8')).toContain(`\`\`\`mermaid\n${diagram}\`\`\``);
    },
  );
});
