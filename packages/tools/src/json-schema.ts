import { ValidationException } from '@bedrock-converse/runtime';
import { Ajv, type ValidateFunction } from 'ajv';

/** A JSON Schema object, as Bedrock takes it in `inputSchema.json`. */
export type JsonSchema = Record<string, unknown>;

const ajv = new Ajv({ allErrors: true, strict: false });

/**
 * Checks that a tool's input schema is one Bedrock accepts: a valid JSON Schema whose root is
 * `type: "object"` (Bedrock rejects any other root).
 */
export function checkInputSchema(toolName: string, schema: unknown): JsonSchema {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new ValidationException(
      `Tool "${toolName}": its input schema must be a JSON Schema object.`,
    );
  }
  const root = (schema as JsonSchema).type;
  if (root !== 'object') {
    throw new ValidationException(
      `Tool "${toolName}": the input schema's root must be type "object" (Bedrock rejects anything else), got ${root === undefined ? 'no type' : JSON.stringify(root)}. Wrap the input in an object, e.g. z.object({ value: … }).`,
    );
  }
  const problem = jsonSchemaProblem(schema);
  if (problem) {
    throw new ValidationException(
      `Tool "${toolName}": the input schema is not valid JSON Schema: ${problem}.`,
    );
  }
  return schema as JsonSchema;
}

/** What makes `schema` invalid JSON Schema (checked against its meta-schema), or undefined. */
export function jsonSchemaProblem(schema: object): string | undefined {
  return ajv.validateSchema(schema) ? undefined : ajv.errorsText(ajv.errors, { dataVar: 'schema' });
}

/** A validator for inputs of a plain JSON Schema; its messages name the offending paths. */
export function jsonSchemaValidator(
  schema: JsonSchema,
): (input: unknown) => { ok: true } | { ok: false; message: string } {
  const validate: ValidateFunction = ajv.compile(schema);
  return (input) =>
    validate(input)
      ? { ok: true }
      : { ok: false, message: ajv.errorsText(validate.errors, { dataVar: 'input' }) };
}
