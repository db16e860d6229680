// Runs the agent example as a user would and reads what it prints.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runTs } from '../../../scripts/run-ts.js';

const root = fileURLToPath(new URL('..', import.meta.url));

const run = (args: string[]) => runTs('src/index.ts', args, { cwd: root });

describe('examples/agent', () => {
  it('runs the weather agent offline: tool calls (one failing), final response, call count', async () => {
    const { code, stdout, stderr } = await run([]);
    expect(stderr).toContain('SCRIPTED local model');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^you> What is the weather in Lisbon and in Atlantis/);
    expect(lines).toContain(
      '  get_weather({"city":"Lisbon"}) → {"city":"Lisbon","temperatureC":21,"conditions":"sunny"}',
    );
    expect(stdout).toMatch(/get_weather\(\{"city":"Atlantis"\}\) → error: .*No weather data/);
    expect(stdout).toContain(
      'convert_temperature({"value":21,"from":"celsius","to":"fahrenheit"}) → {"value":69.8,"unit":"fahrenheit"}',
    );
    expect(stdout).toMatch(
      /^Final response: Lisbon: 21 °C \(69\.8 °F\), sunny\. Atlantis: I could not get the weather/m,
    );
    expect(lines.at(-1)).toBe('Number of function calls: 3');
  });

  it('answers a question given on the command line', async () => {
    const { code, stdout } = await run(['How', 'warm', 'is', 'it', 'in', 'Tokyo?']);
    expect(code).toBe(0);
    expect(stdout).toContain('Final response: Tokyo: 18 °C, clear.');
    expect(stdout).toContain('Number of function calls: 1');
  });
});
