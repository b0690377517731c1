import { Agent, type FunctionTool, functionTool } from '@x/core';
import { z } from 'zod';

export const INSTRUCTIONS =
  'You are a friendly voice assistant on a phone line. Answer in one or two short spoken sentences, ' +
  'without lists or markdown. Use the get_weather tool when the caller asks about the weather.';

/** A made-up forecast: the demo has no weather service, so the answer is fixed per city. */
export function forecastFor(city: string): string {
  const conditions = ['sunny', 'cloudy', 'rainy', 'windy'];
  let hash = 0;
  for (const ch of city.toLowerCase()) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  const temperature = 12 + (hash % 15);
  return `${conditions[hash % conditions.length]} and ${temperature} degrees`;
}

export interface WeatherCall {
  city: string;
  forecast: string;
}

/** The `get_weather` tool; `onCall` sees every call (the demo counts them). */
export function weatherTool(onCall?: (call: WeatherCall) => void): FunctionTool<{ city: string }, string> {
  return functionTool({
    name: 'get_weather',
    description: 'Get the current weather for a city.',
    parameters: z.object({
      city: z.string().min(1).describe('The city, e.g. Paris'),
    }),
    execute: ({ city }) => {
      const forecast = forecastFor(city);
      onCall?.({ city, forecast });
      return forecast;
    },
  });
}

/** The reference agent: short spoken answers and one tool. */
export function createAgent(onWeatherCall?: (call: WeatherCall) => void): Agent {
  return new Agent({
    name: 'reference-agent',
    instructions: INSTRUCTIONS,
    tools: [weatherTool(onWeatherCall)],
  });
}
