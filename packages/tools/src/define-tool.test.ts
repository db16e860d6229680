import { ValidationException } from '@bedrock-converse/runtime';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { defineTool } from './define-tool.js';
import { jsonTool, toolsFromFunctions } from './json-tool.js';

const weatherInput = z.object({
  city: z.string().describe('City name, e.g. "Lisbon"'),
  unit: z.enum(['celsius', 'fahrenheit']).default('celsius').describe('Temperature unit'),
  days: z.number().int().min(1).max(7).optional(),
  place: z
    .object({ lat: z.number(), lon: z.number() })
    .optional()
    .describe('Coordinates, when the city is ambiguous'),
  tags: z.array(z.string()).describe('Free-form tags'),
});

describe('defineTool', () => {
  it('turns a zod schema into a Bedrock toolSpec with an object root and every field', () => {
    const tool = defineTool({
      name: 'get_weather',
      description: 'Current weather for a city.',
      input: weatherInput,
      run: ({ city, unit }) => `${city}: 20 ${unit}`,
    });
    const json = tool.spec.inputSchema?.json as Record<string, unknown>;
    expect(tool.spec.name).toBe('get_weather');
    expect(json.$schema).toBeUndefined();
    expect(json).toMatchObject({
      type: 'object',
      properties: {
        city: { type: 'string', description: 'City name, e.g. "Lisbon"' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'], default: 'celsius' },
        days: { type: 'integer', minimum: 1, maximum: 7 },
        place: {
          type: 'object',
          description: 'Coordinates, when the city is ambiguous',
          properties: { lat: { type: 'number' }, lon: { type: 'number' } },
          required: ['lat', 'lon'],
        },
        tags: { type: 'array', items: { type: 'string' } },
      },
    });
    // Input side: a field with a default is optional for the model.
    expect((json.required as string[]).sort()).toStrictEqual(['city', 'tags']);
  });

  it('never produces an empty schema (the zod-to-json-schema + zod 4 failure)', () => {
    const tool = defineTool({
      name: 'x',
      description: 'x',
      input: z.object({ a: z.string() }),
      run: () => 1,
    });
    expect(Object.keys((tool.spec.inputSchema!.json as { properties: object }).properties)).toEqual(
      ['a'],
    );
  });

  it('infers the input type for run and applies defaults before run sees it', async () => {
    const tool = defineTool({
      name: 'get_weather',
      description: 'Weather.',
      input: weatherInput,
      run: (input) => {
        expectTypeOf(input.unit).toEqualTypeOf<'celsius' | 'fahrenheit'>();
        expectTypeOf(input.days).toEqualTypeOf<number | undefined>();
        return input;
      },
    });
    const parsed = tool.parse({ city: 'Oslo', tags: [] });
    expect(parsed).toStrictEqual({ ok: true, value: { city: 'Oslo', unit: 'celsius', tags: [] } });
    const bad = tool.parse({ city: 3, unit: 'kelvin' });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.message).toMatch(/city/);
    expect(!bad.ok && bad.message).toMatch(/unit/);
  });

  it.each([
    ['a string', z.string()],
    ['an array', z.array(z.string())],
    ['a union', z.union([z.object({ a: z.string() }), z.object({ b: z.string() })])],
  ])('refuses a root that is %s, saying Bedrock needs an object', (_what, input) => {
    expect(() => defineTool({ name: 'x', description: 'x', input, run: () => 1 })).toThrow(
      /root must be type "object"/,
    );
  });

  it.each(['', 'has space', 'dot.name', 'ü', 'x'.repeat(65)])(
    'refuses the tool name %j at definition time',
    (name) => {
      expect(() =>
        defineTool({ name, description: 'x', input: z.object({}), run: () => 1 }),
      ).toThrow(ValidationException);
    },
  );

  it('accepts names at the edge of the rule', () => {
    for (const name of ['a', 'A-b_9', 'x'.repeat(64)]) {
      expect(defineTool({ name, description: 'd', input: z.object({}), run: () => 1 }).name).toBe(
        name,
      );
    }
  });

  it('refuses a schema JSON Schema cannot express, and a missing description', () => {
    expect(() =>
      defineTool({ name: 'x', description: 'x', input: z.object({ d: z.date() }), run: () => 1 }),
    ).toThrow(/cannot be written as JSON Schema/);
    expect(() =>
      defineTool({ name: 'x', description: ' ', input: z.object({}), run: () => 1 }),
    ).toThrow(/needs a description/);
  });
});

describe('jsonTool and the seed form', () => {
  const functions = [
    {
      name: 'get_weather',
      description: 'Weather for a city.',
      parameters: {
        type: 'object',
        properties: { location: { type: 'string' } },
        required: ['location'],
      },
    },
    {
      name: 'convert',
      description: 'Unit conversion.',
      parameters: { type: 'object', properties: { value: { type: 'number' } } },
    },
  ];

  it('builds tools from definitions plus a function map, checking input with the schema', () => {
    const tools = toolsFromFunctions(functions, { get_weather: ({ location }) => location });
    expect(tools.map((t) => t.name)).toStrictEqual(['get_weather']);
    expect(tools[0]!.spec.inputSchema?.json).toStrictEqual(functions[0]!.parameters);
    expect(tools[0]!.parse({ location: 'Oslo' }).ok).toBe(true);
    const bad = tools[0]!.parse({});
    expect(!bad.ok && bad.message).toMatch(/location/);
  });

  it('refuses a function without a definition, and a non-object or invalid schema', () => {
    expect(() => toolsFromFunctions(functions, { nope: () => 1 })).toThrow(
      /no function definition/,
    );
    expect(() =>
      jsonTool({ name: 'x', description: 'x', parameters: { type: 'string' }, run: () => 1 }),
    ).toThrow(/root must be type "object"/);
    expect(() =>
      jsonTool({
        name: 'x',
        description: 'x',
        parameters: { type: 'object', properties: { a: { type: 'no-such-type' } } },
        run: () => 1,
      }),
    ).toThrow(/not valid JSON Schema/);
  });
});
