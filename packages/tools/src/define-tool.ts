import { ValidationException } from '@bedrock-converse/runtime';
import { z } from 'zod';
import type { JsonSchema } from './json-schema.js';
import { createTool, type Tool, type ToolContext } from './tool.js';

export interface ToolDefinition<S extends z.ZodType, O> {
  /** 1–64 letters, digits, `_` or `-`; checked here. */
  name: string;
  /** What the tool does and when to use it: the model reads it. */
  description: string;
  /** The input, as a zod object schema; field `.describe()`s become the schema's descriptions. */
  input: S;
  /** Runs the tool with input that passed the schema (defaults applied). */
  run: (input: z.output<S>, context: ToolContext) => O | Promise<O>;
  /** Overrides the runner's default timeout for this tool. */
  timeoutMs?: number;
}

/**
 * A typed tool from a zod schema. The schema becomes the toolSpec's JSON Schema (zod's own
 * `z.toJSONSchema`, draft-07, input side, `$schema` removed; docs/decisions/2026-11-25-capabilities.md),
 * and the model's input is checked with the schema itself before `run` sees it.
 *
 * Fails at once (ValidationException) for a name Bedrock would refuse, a missing description, or a
 * schema whose root is not an object.
 */
export function defineTool<S extends z.ZodType, O>(
  definition: ToolDefinition<S, O>,
): Tool<z.output<S>, O> {
  const schema = definition?.input;
  return createTool<z.output<S>, O>({
    name: definition?.name,
    description: definition?.description,
    inputSchema: (name) => {
      if (!(schema instanceof z.ZodType)) {
        throw new ValidationException(
          `Tool "${name}": input must be a zod schema, e.g. z.object({…}).`,
        );
      }
      return toJsonSchema(name, schema);
    },
    timeoutMs: definition?.timeoutMs,
    parse(input) {
      const result = (schema as S).safeParse(input);
      return result.success
        ? { ok: true, value: result.data as z.output<S> }
        : { ok: false, message: z.prettifyError(result.error) };
    },
    run: definition?.run,
  });
}

/** The JSON Schema of a zod schema's input, as Bedrock takes it. */
export function toJsonSchema(name: string, schema: z.ZodType): JsonSchema {
  let json: JsonSchema;
  try {
    json = z.toJSONSchema(schema, { target: 'draft-7', io: 'input', unrepresentable: 'throw' });
  } catch (error) {
    throw new ValidationException(
      `Tool "${name}": its input schema cannot be written as JSON Schema (${(error as Error).message}).`,
      { cause: error },
    );
  }
  const { $schema: _dialect, ...rest } = json;
  return rest;
}
