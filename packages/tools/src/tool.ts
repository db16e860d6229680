import type { ToolSpecification } from '@aws-sdk/client-bedrock-runtime';
import { checkInputSchema } from './json-schema.js';
import { checkDescription, checkToolName } from './tool-name.js';

/** What a tool's `run` receives besides its input. */
export interface ToolContext {
  /** Aborts when the tool's timeout passes or the turn is cancelled. */
  signal: AbortSignal;
  /** The id Bedrock gave this call. */
  toolUseId: string;
}

/** The outcome of checking a model's input against a tool's schema. */
export type ParsedInput<I> = { ok: true; value: I } | { ok: false; message: string };

/**
 * A tool the model can call: its Bedrock `toolSpec`, an input check, and the function that runs it.
 * Made by `defineTool` (zod) or `jsonTool` (a plain JSON Schema).
 */
export interface Tool<I = unknown, O = unknown> {
  readonly name: string;
  readonly description: string;
  /** As Bedrock takes it in `toolConfig.tools[].toolSpec`. */
  readonly spec: ToolSpecification;
  /** Per-tool timeout in ms; the runner's default applies when absent. */
  readonly timeoutMs?: number | undefined;
  /** Checks the input the model produced. */
  parse(input: unknown): ParsedInput<I>;
  run(input: I, context: ToolContext): O | Promise<O>;
}

/** A tool of any input and output type. */
// biome-ignore lint/suspicious/noExplicitAny: a list of tools mixes input types; each checks its own.
export type AnyTool = Tool<any, unknown>;

/**
 * A Tool from its parts, with the checks every tool gets at definition time: Bedrock's name rule,
 * a description, and an input schema whose root is an object (ValidationException otherwise).
 * `inputSchema` is asked for once the name is known to be good.
 */
export function createTool<I, O>(parts: {
  name: unknown;
  description: unknown;
  inputSchema: (name: string) => unknown;
  parse: (input: unknown) => ParsedInput<I>;
  run: Tool<I, O>['run'];
  timeoutMs?: number | undefined;
}): Tool<I, O> {
  const name = checkToolName(parts.name);
  const description = checkDescription(name, parts.description);
  const json = checkInputSchema(name, parts.inputSchema(name));
  const spec: ToolSpecification = { name, description, inputSchema: { json: json as never } };
  return {
    name,
    description,
    spec,
    timeoutMs: parts.timeoutMs,
    parse: parts.parse,
    run: parts.run,
  };
}
