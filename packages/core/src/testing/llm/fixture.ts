import { functionTool } from '../../chat/function-tool.js';
import type { JSONSchemaObject } from '../../chat/json-schema.js';
import type { ConversationalGraph } from '../../llm/conversational-graph.js';

/** The weather the conformance tool reports; the follow-up answer is expected to mention it. */
export const CONFORMANCE_TEMPERATURE_C = 21;

/** `get_weather({location})`: the tool the conformance checks offer the model. */
export function conformanceWeatherTool() {
  return functionTool<{ location: string }, Record<string, unknown>>({
    name: 'get_weather',
    description: 'Get the current weather for a city.',
    parameters: {
      type: 'object',
      properties: { location: { type: 'string', description: 'City name, e.g. Paris' } },
      required: ['location'],
      additionalProperties: false,
    },
    execute: ({ location }) => ({ location, temperature_c: CONFORMANCE_TEMPERATURE_C, conditions: 'sunny' }),
  });
}

const GRAPH_SCHEMA: JSONSchemaObject = {
  type: 'object',
  properties: {
    response_to_user: { type: 'string', description: 'What to say to the user.' },
    next_step: { type: 'string', enum: ['greet', 'help', 'end'] },
  },
  required: ['response_to_user', 'next_step'],
  additionalProperties: false,
};

/** The structured-reply graph the conformance checks use. */
export const CONFORMANCE_GRAPH: ConversationalGraph = {
  name: 'conversation_step',
  description: 'The next step of the conversation.',
  schema: GRAPH_SCHEMA,
};

/** Prompts the checks send (override them in the setup if a provider needs others). */
export const DEFAULT_CONFORMANCE_PROMPTS = {
  system: 'You are a helpful voice assistant. Answer in one short sentence.',
  text: 'Say hello in five words or fewer.',
  tool: 'What is the weather in Paris right now? Use the get_weather tool.',
  long: 'Count from 1 to 60, one number per line, nothing else.',
  graph: 'Greet me.',
} as const;

export type ConformancePrompts = { [K in keyof typeof DEFAULT_CONFORMANCE_PROMPTS]: string };
