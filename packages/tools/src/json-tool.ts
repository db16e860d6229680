import { ValidationException } from '@bedrock-converse/runtime';
import { type JsonSchema, jsonSchemaValidator } from './json-schema.js';
import { createTool, type Tool, type ToolContext } from './tool.js';

/** The seed's plain tool form: a name, a description and a JSON Schema for the parameters. */
export interface FunctionDefinition {
  name: string;
  description: string;
  parameters: JsonSchema;
}

/** A function that answers a tool call: it gets the model's input object. */
export type ToolFunction = (
  input: Record<string, unknown>,
  context: ToolContext,
) => unknown | Promise<unknown>;

/**
 * A tool from a plain JSON Schema. The model's input is checked against the schema (with ajv)
 * before `run` sees it. Fails at once for a bad name, no description, or a schema whose root is not
 * an object.
 */
export function jsonTool(
  definition: FunctionDefinition & { run: ToolFunction; timeoutMs?: number },
): Tool<Record<string, unknown>, unknown> {
  let check: ReturnType<typeof jsonSchemaValidator> | undefined;
  const tool = createTool<Record<string, unknown>, unknown>({
    name: definition?.name,
    description: definition?.description,
    inputSchema: () => definition.parameters,
    timeoutMs: definition?.timeoutMs,
    parse(input) {
      const result = check!(input);
      return result.ok ? { ok: true, value: input as Record<string, unknown> } : result;
    },
    run: definition?.run,
  });
  // The schema passed createTool's checks: compile its validator once.
  check = jsonSchemaValidator(tool.spec.inputSchema!.json as JsonSchema);
  return tool;
}

/**
 * The seed's form: tool definitions plus a map from tool name to function. Every function must
 * have a definition; a definition without a function is left out (it cannot be called).
 */
export function toolsFromFunctions(
  functions: readonly FunctionDefinition[],
  functionMap: Readonly<Record<string, ToolFunction>>,
): Tool<Record<string, unknown>, unknown>[] {
  const known = new Set(functions.map((f) => f.name));
  for (const name of Object.keys(functionMap)) {
    if (!known.has(name)) {
      throw new ValidationException(
        `functionMap has "${name}", but no function definition of that name (known: ${[...known].join(', ') || 'none'}).`,
      );
    }
  }
  return functions.flatMap((definition) => {
    const run = functionMap[definition.name];
    return run ? [jsonTool({ ...definition, run })] : [];
  });
}
