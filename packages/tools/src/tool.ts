import type { ToolSpecification } from '@aws-sdk/client-bedrock-runtime';

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
