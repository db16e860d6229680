// Checks a Converse request the way Bedrock does, answering with Bedrock's own wording
// (CONVERSE-WIRE.md §2.4, §3). Returns the ValidationException message, or undefined when valid.

import { jsonSchemaProblem, toolNamePattern } from '@bedrock-converse/tools';

type Json = Record<string, unknown>;

export interface ValidationRules {
  /** Enforce "starts with user" and strict alternation (Bedrock's classic rules). Default true. */
  strictRoles?: boolean;
}

export function validateConverseRequest(
  body: unknown,
  rules: ValidationRules = {},
): string | undefined {
  if (!isObject(body)) return 'The request body must be a JSON object.';
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    return 'The request must contain at least one message in messages.';
  }
  for (const [i, message] of messages.entries()) {
    const problem = validateMessage(message, i);
    if (problem) return problem;
  }
  if (rules.strictRoles !== false) {
    if ((messages[0] as Json).role !== 'user') {
      return 'A conversation must start with a user message. Try again with a conversation that starts with a user message.';
    }
    for (let i = 1; i < messages.length; i++) {
      if ((messages[i] as Json).role === (messages[i - 1] as Json).role) {
        return 'A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.';
      }
    }
  }
  const pairing = validateToolPairing(messages as Json[]);
  if (pairing) return pairing;
  return (
    validateSystem(body.system) ??
    validateInference(body.inferenceConfig) ??
    validateTools(body.toolConfig)
  );
}

function validateMessage(message: unknown, i: number): string | undefined {
  if (!isObject(message)) return `messages.${i}: must be an object with role and content.`;
  if (message.role !== 'user' && message.role !== 'assistant') {
    return `messages.${i}.role: "${String(message.role)}" is not a valid value; valid values are user and assistant.`;
  }
  const content = message.content;
  if (!Array.isArray(content) || content.length === 0) {
    return `messages.${i}.content: at least one content block is required.`;
  }
  for (const [j, block] of content.entries()) {
    if (!isObject(block) || Object.keys(block).length !== 1) {
      return `messages.${i}.content.${j}: a content block must have exactly one member.`;
    }
    if ('text' in block && (typeof block.text !== 'string' || block.text === '')) {
      return `messages.${i}.content.${j}.text: the text field cannot be blank.`;
    }
    if (isObject(block.toolResult)) {
      const result = block.toolResult;
      const empty = !Array.isArray(result.content) || result.content.length === 0;
      if (empty && result.status === 'error') {
        return `The content field at messages.${i}.content.${j}.toolResult cannot be empty when status value is error.`;
      }
    }
    if (('image' in block || 'document' in block) && message.role !== 'user') {
      return `messages.${i}.content.${j}: images and documents are only allowed in user messages.`;
    }
  }
  return undefined;
}

function validateToolPairing(messages: Json[]): string | undefined {
  for (let i = 0; i < messages.length; i++) {
    const uses = ids(messages[i]!, 'toolUse');
    const results = ids(messages[i]!, 'toolResult');
    if (results.length > 0) {
      const previousUses = i > 0 ? ids(messages[i - 1]!, 'toolUse') : [];
      if (results.length > previousUses.length) {
        return `The number of toolResult blocks at messages.${i}.content exceeds the number of toolUse blocks of previous turn.`;
      }
    }
    if (uses.length > 0 && i + 1 < messages.length) {
      const answered = new Set(ids(messages[i + 1]!, 'toolResult'));
      const missing = uses.filter((id) => !answered.has(id));
      if (missing.length > 0) {
        return `Expected toolResult blocks at messages.${i + 1}.content for the following Ids: ${missing.join(', ')}`;
      }
    }
  }
  return undefined;
}

function validateSystem(system: unknown): string | undefined {
  if (system === undefined) return undefined;
  if (!Array.isArray(system)) return 'system: must be a list of system content blocks.';
  for (const [i, block] of system.entries()) {
    if (
      isObject(block) &&
      'text' in block &&
      (typeof block.text !== 'string' || block.text === '')
    ) {
      return `system.${i}.text: the text field cannot be blank.`;
    }
  }
  return undefined;
}

function validateInference(config: unknown): string | undefined {
  if (config === undefined) return undefined;
  if (!isObject(config)) return 'inferenceConfig: must be an object.';
  const { maxTokens, temperature, topP, stopSequences } = config;
  if (maxTokens !== undefined && !(Number.isInteger(maxTokens) && (maxTokens as number) >= 1)) {
    return `inferenceConfig.maxTokens: ${String(maxTokens)} is not valid; it must be an integer of at least 1.`;
  }
  for (const [name, value] of [
    ['temperature', temperature],
    ['topP', topP],
  ] as const) {
    if (value !== undefined && !(typeof value === 'number' && value >= 0 && value <= 1)) {
      return `inferenceConfig.${name}: ${String(value)} is not valid; it must be between 0 and 1.`;
    }
  }
  if (stopSequences !== undefined) {
    if (!Array.isArray(stopSequences) || stopSequences.length > 2500) {
      return 'inferenceConfig.stopSequences: must be a list of at most 2500 strings.';
    }
    if (stopSequences.some((s) => typeof s !== 'string' || s === '')) {
      return 'inferenceConfig.stopSequences: stop sequences cannot be empty.';
    }
  }
  return undefined;
}

function validateTools(toolConfig: unknown): string | undefined {
  if (toolConfig === undefined) return undefined;
  if (!isObject(toolConfig) || !Array.isArray(toolConfig.tools) || toolConfig.tools.length === 0) {
    return 'toolConfig.tools: at least one tool is required.';
  }
  for (const [i, tool] of toolConfig.tools.entries()) {
    if (!isObject(tool) || !isObject(tool.toolSpec)) continue;
    const spec = tool.toolSpec;
    if (typeof spec.name !== 'string' || !toolNamePattern.test(spec.name)) {
      return `toolConfig.tools.${i}.toolSpec.name: "${String(spec.name)}" must match [a-zA-Z0-9_-]{1,64}.`;
    }
    const schema = isObject(spec.inputSchema) ? spec.inputSchema.json : undefined;
    if (!isObject(schema) || schema.type !== 'object') {
      return `toolConfig.tools.${i}.toolSpec.inputSchema.json.type must be object.`;
    }
    const problem = jsonSchemaProblem(schema);
    if (problem) {
      return `The value at toolConfig.tools.${i}.toolSpec.inputSchema.json is not a valid JSON Schema: ${problem}.`;
    }
  }
  return undefined;
}

function ids(message: Json, kind: 'toolUse' | 'toolResult'): string[] {
  const content = Array.isArray(message.content) ? message.content : [];
  return content
    .map((block) => (isObject(block) && isObject(block[kind]) ? block[kind].toolUseId : undefined))
    .filter((id): id is string => typeof id === 'string');
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
