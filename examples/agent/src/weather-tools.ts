// The agent's tools: current weather from a small bundled table (so it runs offline), and unit
// conversion. get_weather fails for cities it has no data for, and convert_temperature for values
// below absolute zero: the model gets those failures back as error results and carries on.
import { defineTool } from '@bedrock-converse/tools';
import { z } from 'zod';

export const weatherTable: Record<string, { temperatureC: number; conditions: string }> = {
  lisbon: { temperatureC: 21, conditions: 'sunny' },
  oslo: { temperatureC: 4, conditions: 'cloudy' },
  paris: { temperatureC: 15, conditions: 'light rain' },
  tokyo: { temperatureC: 18, conditions: 'clear' },
  'new york': { temperatureC: 10, conditions: 'windy' },
  sydney: { temperatureC: 25, conditions: 'sunny' },
};

export const getWeather = defineTool({
  name: 'get_weather',
  description: 'Current weather for a city: temperature in Celsius and conditions.',
  input: z.object({
    city: z.string().min(1).describe('City name, e.g. "Lisbon"'),
  }),
  run: ({ city }) => {
    const entry = weatherTable[city.trim().toLowerCase()];
    if (!entry) {
      throw new Error(
        `No weather data for "${city}". Known cities: ${Object.keys(weatherTable).join(', ')}.`,
      );
    }
    return { city, temperatureC: entry.temperatureC, conditions: entry.conditions };
  },
});

const unit = z.enum(['celsius', 'fahrenheit', 'kelvin']);
const toKelvin = {
  celsius: (v: number) => v + 273.15,
  fahrenheit: (v: number) => (v - 32) / 1.8 + 273.15,
  kelvin: (v: number) => v,
};
const fromKelvin = {
  celsius: (k: number) => k - 273.15,
  fahrenheit: (k: number) => (k - 273.15) * 1.8 + 32,
  kelvin: (k: number) => k,
};

export const convertTemperature = defineTool({
  name: 'convert_temperature',
  description: 'Converts a temperature between celsius, fahrenheit and kelvin.',
  input: z.object({
    value: z.number().describe('The temperature to convert'),
    from: unit.describe('Its unit'),
    to: unit.describe('The unit wanted'),
  }),
  run: ({ value, from, to }) => {
    const kelvin = toKelvin[from](value);
    if (kelvin < 0) throw new Error(`${value} ${from} is below absolute zero.`);
    return { value: Math.round(fromKelvin[to](kelvin) * 10) / 10, unit: to };
  },
});

export const weatherTools = [getWeather, convertTemperature];
