// How the real local model calls tools: its output is constrained by a JSON-schema grammar built
// from the request's tools, so whatever it writes is a valid Converse turn: either a text answer or
// a call of one of the tools with input that follows that tool's schema.
import type {
  ContentBlock,
  StopReason,
  ToolConfiguration,
  ToolSpecification,
} from '@aws-sdk/client-bedrock-runtime';

type Json = Record<string, unknown>;
/** The JSON Schema subset node-llama-cpp turns into a grammar (GbnfJsonSchema), loosely typed. */
export type GrammarSchema = Json;

/** Bounds that keep generation short and always finite for a tiny model. */
export interface GrammarBounds {
  /** Longest string in a tool input. Default 48. */
  maxStringLength?: number;
  /** Longest text answer. Default 240. */
  maxTextLength?: number;
  /** Most items in an array. Default 4. */
  maxItems?: number;
}

function specsOf(toolConfig: ToolConfiguration | undefined): ToolSpecification[] {
  return (toolConfig?.tools ?? []).flatMap((tool) => (tool.toolSpec ? [tool.toolSpec] : []));
}

/** True when the request offers tools. */
export function offersTools(toolConfig: ToolConfiguration | undefined): boolean {
  return specsOf(toolConfig).length > 0;
}

/**
 * The grammar's schema: `oneOf` a text answer `{ "type": "text", "text": … }` and, per tool,
 * `{ "type": "tool", "name": <that tool>, "input": <its schema> }`. `toolChoice` narrows it:
 * `any` leaves out the text answer, `{ tool }` leaves only that tool.
 */
export function toolAnswerSchema(toolConfig: ToolConfiguration, bounds: GrammarBounds = {}) {
  const choice = toolConfig.toolChoice;
  const only = choice?.tool?.name;
  const tools = specsOf(toolConfig).filter((spec) => only === undefined || spec.name === only);
  const options: GrammarSchema[] = tools.map((spec) => ({
    type: 'object',
    properties: {
      type: { const: 'tool' },
      name: { const: spec.name },
      input: toGrammar((spec.inputSchema?.json ?? { type: 'object' }) as Json, bounds),
    },
    required: ['type', 'name', 'input'],
    additionalProperties: false,
  }));
  if (!choice?.any && only === undefined) {
    options.unshift({
      type: 'object',
      properties: {
        type: { const: 'text' },
        text: { type: 'string', minLength: 1, maxLength: bounds.maxTextLength ?? 240 },
      },
      required: ['type', 'text'],
      additionalProperties: false,
    });
  }
  return { oneOf: options };
}

/** A JSON Schema as the grammar subset: strings and arrays bounded, unknown keywords dropped. */
export function toGrammar(schema: Json, bounds: GrammarBounds = {}): GrammarSchema {
  const maxString = bounds.maxStringLength ?? 48;
  const maxItems = bounds.maxItems ?? 4;
  const description =
    typeof schema.description === 'string' ? { description: schema.description } : {};
  if (Array.isArray(schema.enum)) return { enum: schema.enum, ...description };
  if ('const' in schema) return { const: schema.const, ...description };
  const alternatives = (schema.anyOf ?? schema.oneOf) as Json[] | undefined;
  if (Array.isArray(alternatives)) {
    return { oneOf: alternatives.map((s) => toGrammar(s, bounds)), ...description };
  }
  if (Array.isArray(schema.type)) {
    return {
      oneOf: (schema.type as string[]).map((type) => toGrammar({ ...schema, type }, bounds)),
      ...description,
    };
  }
  switch (schema.type) {
    case 'string': {
      const max = Math.min(Number(schema.maxLength ?? maxString), maxString);
      const min = Math.min(Number(schema.minLength ?? 0), max);
      return {
        type: 'string',
        ...(min > 0 ? { minLength: min } : {}),
        maxLength: max,
        ...description,
      };
    }
    case 'number':
    case 'integer':
    case 'boolean':
    case 'null':
      return { type: schema.type, ...description };
    case 'array': {
      const max = Math.min(Number(schema.maxItems ?? maxItems), maxItems);
      const min = Math.min(Number(schema.minItems ?? 0), max);
      return {
        type: 'array',
        items: toGrammar((schema.items ?? {}) as Json, bounds),
        ...(min > 0 ? { minItems: min } : {}),
        maxItems: max,
        ...description,
      };
    }
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, Json>;
      return {
        type: 'object',
        properties: Object.fromEntries(
          Object.entries(properties).map(([key, value]) => [key, toGrammar(value, bounds)]),
        ),
        required: (schema.required as string[] | undefined) ?? [],
        additionalProperties: false,
        ...description,
      };
    }
    default:
      // No type: any short scalar.
      return {
        oneOf: [{ type: 'string', maxLength: maxString }, { type: 'number' }, { type: 'boolean' }],
      };
  }
}

/**
 * The Converse content of one grammar-constrained answer. Output that does not parse (cut by
 * maxTokens) gives no content: the caller reports max_tokens and stores nothing.
 */
export function parseToolAnswer(
  json: string,
  nextToolUseId: () => string,
): { content: ContentBlock[]; stopReason?: StopReason } {
  let answer: { type?: string; text?: string; name?: string; input?: unknown };
  try {
    answer = JSON.parse(json);
  } catch {
    return { content: [] };
  }
  if (answer.type === 'tool' && typeof answer.name === 'string') {
    return {
      content: [
        {
          toolUse: { toolUseId: nextToolUseId(), name: answer.name, input: answer.input as never },
        },
      ],
      stopReason: 'tool_use',
    };
  }
  return {
    content: typeof answer.text === 'string' && answer.text !== '' ? [{ text: answer.text }] : [],
  };
}

/**
 * What the model is told about the tools, ahead of the conversation: one short line per tool
 * (its name, input fields and description). The grammar enforces the exact format, so the prompt
 * only has to say what the tools are for, and stays small enough for models with short contexts.
 */
export function toolsPreamble(toolConfig: ToolConfiguration): string {
  const lines = specsOf(toolConfig).map((spec) => {
    const schema = (spec.inputSchema?.json ?? {}) as Json;
    const required = new Set((schema.required as string[] | undefined) ?? []);
    const fields = Object.keys((schema.properties ?? {}) as Json).map((key) =>
      required.has(key) ? key : `${key}?`,
    );
    return `- ${spec.name}(${fields.join(', ')}): ${spec.description ?? ''}`;
  });
  return ['Tools:', ...lines, 'Answer in JSON: a tool call or a text reply.'].join('\n');
}
