import type { Message } from '@aws-sdk/client-bedrock-runtime';
import type { ConverseResult } from './model-runtime.js';

/** The assistant message of a Converse result (its `output` is a union with one known member). */
export function replyMessage(result: ConverseResult): Message | undefined {
  return result.output && 'message' in result.output ? result.output.message : undefined;
}
