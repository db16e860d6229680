// The agent's offline model: scripted rules, not a language model. It plans the way a model
// would through the tools (call get_weather for each city asked about, convert to Fahrenheit when
// asked, then answer from the results, errors included), so the offline example shows the loop.
import type { ContentBlock, Message } from '@aws-sdk/client-bedrock-runtime';
import type { ScriptedTurn } from '@bedrock-converse/local';
import type { ConverseInput } from '@bedrock-converse/runtime';
import { weatherTable } from './weather-tools.js';

interface Outcome {
  name: string;
  input: Record<string, unknown>;
  ok: boolean;
  value: Record<string, unknown> | string;
}

export function offlineWeatherAgent(request: ConverseInput): ScriptedTurn {
  const messages = request.messages ?? [];
  const start = lastUserTextIndex(messages);
  const question = textOf(messages[start]);
  const outcomes = outcomesSince(messages, start);
  const wantsFahrenheit = /fahrenheit|°F/i.test(question);

  if (outcomes.length === 0) {
    const cities = citiesIn(question);
    if (cities.length === 0) {
      return 'I can look up the weather: ask e.g. "What is the weather in Lisbon?" (scripted offline model).';
    }
    return {
      text: `Let me look up ${cities.join(' and ')}.`,
      toolUses: cities.map((city) => ({ name: 'get_weather', input: { city } })),
    };
  }

  const weather = outcomes.filter((o) => o.name === 'get_weather' && o.ok);
  const converted = outcomes.filter((o) => o.name === 'convert_temperature' && o.ok);
  if (wantsFahrenheit && weather.length > 0 && converted.length === 0) {
    return {
      toolUses: weather.map((o) => ({
        name: 'convert_temperature',
        input: {
          value: (o.value as { temperatureC: number }).temperatureC,
          from: 'celsius',
          to: 'fahrenheit',
        },
      })),
    };
  }

  const lines = outcomes
    .filter((o) => o.name === 'get_weather')
    .map((o) => {
      if (!o.ok) return `${String(o.input.city)}: I could not get the weather (${String(o.value)})`;
      const w = o.value as { city: string; temperatureC: number; conditions: string };
      const f = converted[weather.indexOf(o)]?.value as { value: number } | undefined;
      return `${w.city}: ${w.temperatureC} °C${f ? ` (${f.value} °F)` : ''}, ${w.conditions}`;
    });
  return `${lines.join('. ')}.`;
}

function lastUserTextIndex(messages: Message[]): number {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role === 'user' && (m.content ?? []).some((b) => b.text !== undefined)) return i;
  }
  return 0;
}

function textOf(message: Message | undefined): string {
  return (message?.content ?? []).map((b) => b.text ?? '').join(' ');
}

/** Every tool call after the question, with how it went, in order. */
function outcomesSince(messages: Message[], start: number): Outcome[] {
  const calls = new Map<string, { name: string; input: Record<string, unknown> }>();
  const outcomes: Outcome[] = [];
  for (const message of messages.slice(start + 1)) {
    for (const block of message.content ?? []) {
      if (block.toolUse) {
        calls.set(block.toolUse.toolUseId!, {
          name: block.toolUse.name!,
          input: block.toolUse.input as Record<string, unknown>,
        });
      }
      if (block.toolResult) {
        const call = calls.get(block.toolResult.toolUseId!);
        if (!call) continue;
        outcomes.push({
          ...call,
          ok: block.toolResult.status !== 'error',
          value: resultValue(block),
        });
      }
    }
  }
  return outcomes;
}

function resultValue(block: ContentBlock): Record<string, unknown> | string {
  const part = block.toolResult?.content?.[0];
  if (part?.json !== undefined) return part.json as Record<string, unknown>;
  return part?.text ?? '';
}

/** Known cities mentioned, then capitalised words after "in" (which may be unknown, like Atlantis). */
function citiesIn(text: string): string[] {
  const found: string[] = [];
  const lower = text.toLowerCase();
  for (const city of Object.keys(weatherTable)) {
    const at = lower.indexOf(city);
    if (at >= 0) found.push(text.slice(at, at + city.length));
  }
  for (const match of text.matchAll(/\bin ([A-Z][a-zA-Z]+(?: [A-Z][a-zA-Z]+)?)/g)) {
    const city = match[1]!;
    if (
      !found.some((f) => f.toLowerCase() === city.toLowerCase()) &&
      !/^(Celsius|Fahrenheit|Kelvin)$/i.test(city)
    ) {
      found.push(city);
    }
  }
  return found;
}
