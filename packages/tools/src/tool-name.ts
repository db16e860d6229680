import { ValidationException } from '@bedrock-converse/runtime';

/** Bedrock's rule for tool names: letters, digits, `_` and `-`, 1 to 64 characters. */
export const toolNamePattern = /^[a-zA-Z0-9_-]{1,64}$/;

/** Throws a ValidationException naming the rule when `name` breaks it. */
export function checkToolName(name: unknown): string {
  if (typeof name !== 'string' || !toolNamePattern.test(name)) {
    throw new ValidationException(
      `Tool name ${JSON.stringify(name)} is not valid: Bedrock takes 1 to 64 letters, digits, "_" or "-" (e.g. "get_weather").`,
    );
  }
  return name;
}

export function checkDescription(name: string, description: unknown): string {
  if (typeof description !== 'string' || description.trim() === '') {
    throw new ValidationException(
      `Tool "${name}" needs a description: the model chooses tools by what it says.`,
    );
  }
  return description;
}
