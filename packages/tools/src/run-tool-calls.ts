import type {
  ToolResultBlock,
  ToolResultContentBlock,
  ToolUseBlock,
} from '@aws-sdk/client-bedrock-runtime';
import type { Toolset } from './toolset.js';

/** One tool call of a turn, as it went. */
export interface ToolCall {
  toolUseId: string;
  name: string;
  /** The input as the model wrote it. */
  input: unknown;
  /** What the tool returned, when it succeeded. */
  output?: unknown;
  /** Why it failed (unknown tool, invalid input, thrown error, timeout), when it did. */
  error?: string;
  durationMs: number;
  /** The toolResult block sent back to the model. */
  result: ToolResultBlock;
}

export interface RunToolCallsOptions {
  /** Aborts every call (the turn was cancelled). */
  signal?: AbortSignal | undefined;
  /** Timeout of a call whose tool sets none. Default 30 000 ms. */
  timeoutMs?: number | undefined;
}

export const defaultToolTimeoutMs = 30_000;

/**
 * Runs the calls of one model message, all at once. Every call ends in a toolResult: a failure
 * (unknown tool, input that fails the tool's schema, a thrown error, a timeout) becomes a result
 * with `status: "error"` and a message the model can act on, so the turn goes on. Only the turn's
 * own cancellation rejects.
 */
export function runToolCalls(
  tools: Toolset,
  toolUses: readonly ToolUseBlock[],
  options: RunToolCallsOptions = {},
): Promise<ToolCall[]> {
  return Promise.all(toolUses.map((toolUse) => runToolCall(tools, toolUse, options)));
}

async function runToolCall(
  tools: Toolset,
  toolUse: ToolUseBlock,
  options: RunToolCallsOptions,
): Promise<ToolCall> {
  const started = performance.now();
  const toolUseId = toolUse.toolUseId ?? '';
  const name = toolUse.name ?? '';
  const input: unknown = toolUse.input;
  const done = (outcome: { output: unknown } | { error: string }): ToolCall => {
    const durationMs = performance.now() - started;
    if ('error' in outcome) {
      return {
        toolUseId,
        name,
        input,
        error: outcome.error,
        durationMs,
        result: { toolUseId, status: 'error', content: [{ text: outcome.error }] },
      };
    }
    return {
      toolUseId,
      name,
      input,
      output: outcome.output,
      durationMs,
      result: { toolUseId, status: 'success', content: toResultContent(outcome.output) },
    };
  };

  options.signal?.throwIfAborted();
  const tool = tools.get(name);
  if (!tool) {
    return done({
      error: `There is no tool named "${name}". Available tools: ${tools.names().join(', ')}.`,
    });
  }
  const parsed = tool.parse(input);
  if (!parsed.ok) {
    return done({
      error: `Invalid input for tool "${name}": ${parsed.message}. Call it again with input that matches its schema.`,
    });
  }

  const timeoutMs = tool.timeoutMs ?? options.timeoutMs ?? defaultToolTimeoutMs;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  try {
    const output = await new Promise<unknown>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      Promise.resolve()
        .then(() => tool.run(parsed.value, { signal, toolUseId }))
        .then(resolve, reject)
        .finally(() => signal.removeEventListener('abort', onAbort));
    });
    return done({ output });
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (timeout.aborted) {
      return done({ error: `Tool "${name}" did not finish within ${timeoutMs} ms.` });
    }
    const message = error instanceof Error ? error.message : String(error);
    return done({ error: `Tool "${name}" failed: ${message || 'no message'}` });
  }
}

/**
 * A tool's output as toolResult content: text for a string, JSON for anything else (a value that is
 * not an object is wrapped as `{ result }`). Never empty: Bedrock refuses an empty result.
 */
export function toResultContent(output: unknown): ToolResultContentBlock[] {
  if (typeof output === 'string') return [{ text: output === '' ? '(empty)' : output }];
  if (output === undefined) return [{ text: '(no output)' }];
  const json =
    typeof output === 'object' && output !== null && !Array.isArray(output)
      ? output
      : { result: output };
  // Round-trip through JSON so what is sent is exactly what JSON can carry.
  return [{ json: JSON.parse(JSON.stringify(json)) }];
}
