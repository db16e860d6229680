import { ConverseError } from './converse-error.js';

// Bedrock says "Input is too long for requested model."; providers behind it word it differently.
const overflowMessages =
  /input is too long|prompt is too long|too many (?:input )?tokens|exceeds? (?:the )?(?:model'?s? )?(?:maximum )?context|context (?:window|length) (?:exceeded|limit)/i;

/** True for the error the service answers when a request does not fit the model's context. */
export function isContextOverflow(error: unknown): boolean {
  return (
    ConverseError.isInstance(error) &&
    (error.name === 'ValidationException' || error.name === 'ContextWindowOverflow') &&
    overflowMessages.test(error.message)
  );
}
