import type { ToolChoice, ToolConfiguration } from '@aws-sdk/client-bedrock-runtime';
import { ValidationException } from '@bedrock-converse/runtime';
import type { AnyTool } from './tool.js';

/** How the model may use the tools: any or none (`auto`), at least one (`any`), or this one. */
export type ToolChoiceOption = 'auto' | 'any' | { tool: string };

/** A set of tools with distinct names, and the `toolConfig` that offers them. */
export class Toolset {
  readonly #tools = new Map<string, AnyTool>();

  constructor(tools: Iterable<AnyTool>) {
    for (const tool of tools) {
      if (this.#tools.has(tool.name)) {
        throw new ValidationException(
          `Two tools are named "${tool.name}"; tool names must differ.`,
        );
      }
      this.#tools.set(tool.name, tool);
    }
  }

  get size(): number {
    return this.#tools.size;
  }

  get(name: string): AnyTool | undefined {
    return this.#tools.get(name);
  }

  names(): string[] {
    return [...this.#tools.keys()];
  }

  /** The tools and the choice, in Bedrock's `toolConfig` shape. */
  toolConfig(choice?: ToolChoiceOption): ToolConfiguration {
    const config: ToolConfiguration = {
      tools: [...this.#tools.values()].map((tool) => ({ toolSpec: tool.spec })),
    };
    if (choice !== undefined) config.toolChoice = toToolChoice(choice, this);
    return config;
  }
}

function toToolChoice(choice: ToolChoiceOption, tools: Toolset): ToolChoice {
  if (choice === 'auto') return { auto: {} };
  if (choice === 'any') return { any: {} };
  if (typeof choice === 'object' && choice !== null && typeof choice.tool === 'string') {
    if (!tools.get(choice.tool)) {
      throw new ValidationException(
        `toolChoice names "${choice.tool}", which is not one of the tools (${tools.names().join(', ')}).`,
      );
    }
    return { tool: { name: choice.tool } };
  }
  throw new ValidationException(
    `toolChoice must be "auto", "any" or { tool: "<name>" }, got ${JSON.stringify(choice)}.`,
  );
}
