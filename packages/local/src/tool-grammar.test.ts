import { describe, expect, it } from 'vitest';
import { parseToolAnswer, toGrammar, toolAnswerSchema, toolsPreamble } from './tool-grammar.js';

const toolConfig = {
  tools: [
    {
      toolSpec: {
        name: 'get_weather',
        description: 'Weather.',
        inputSchema: {
          json: {
            type: 'object',
            properties: {
              city: { type: 'string', minLength: 2, description: 'City' },
              unit: { type: 'string', enum: ['c', 'f'], default: 'c' },
              days: { type: ['integer', 'null'] },
              tags: { type: 'array', items: { type: 'string', maxLength: 500 }, maxItems: 10 },
            },
            required: ['city'],
            additionalProperties: false,
          } as never,
        },
      },
    },
    {
      toolSpec: {
        name: 'noop',
        description: 'Nothing.',
        inputSchema: { json: { type: 'object' } as never },
      },
    },
  ],
};

describe('tool grammar', () => {
  it('offers a text answer and one option per tool, strings and arrays bounded', () => {
    const schema = toolAnswerSchema(toolConfig, { maxTextLength: 100 });
    expect(schema.oneOf).toHaveLength(3);
    expect(schema.oneOf[0]).toMatchObject({
      properties: { type: { const: 'text' }, text: { type: 'string', maxLength: 100 } },
    });
    expect(schema.oneOf[1]).toMatchObject({
      properties: {
        type: { const: 'tool' },
        name: { const: 'get_weather' },
        input: {
          type: 'object',
          required: ['city'],
          properties: {
            city: { type: 'string', minLength: 2, maxLength: 48, description: 'City' },
            unit: { enum: ['c', 'f'] },
            days: { oneOf: [{ type: 'integer' }, { type: 'null' }] },
            tags: { type: 'array', items: { type: 'string', maxLength: 48 }, maxItems: 4 },
          },
        },
      },
    });
  });

  it('narrows to calls for toolChoice any, and to one tool for a named choice', () => {
    expect(toolAnswerSchema({ ...toolConfig, toolChoice: { any: {} } }).oneOf).toHaveLength(2);
    const named = toolAnswerSchema({ ...toolConfig, toolChoice: { tool: { name: 'noop' } } });
    expect(named.oneOf).toHaveLength(1);
    expect(named.oneOf[0]).toMatchObject({ properties: { name: { const: 'noop' } } });
  });

  it('reads an answer as a text block or a toolUse block, and a cut answer as nothing', () => {
    expect(parseToolAnswer('{"type":"text","text":"Hi"}', () => 'id')).toStrictEqual({
      content: [{ text: 'Hi' }],
    });
    expect(
      parseToolAnswer('{"type":"tool","name":"noop","input":{}}', () => 'tooluse_1'),
    ).toStrictEqual({
      content: [{ toolUse: { toolUseId: 'tooluse_1', name: 'noop', input: {} } }],
      stopReason: 'tool_use',
    });
    expect(parseToolAnswer('{"type":"tool","na', () => 'id')).toStrictEqual({ content: [] });
  });

  it('describes the tools in one short line each', () => {
    expect(toolsPreamble(toolConfig)).toBe(
      'Tools:\n- get_weather(city, unit?, days?, tags?): Weather.\n- noop(): Nothing.\nAnswer in JSON: a tool call or a text reply.',
    );
    expect(toGrammar({})).toHaveProperty('oneOf');
  });
});
