import { describe, expect, it } from 'vitest';
import type { SessionTool } from './protocol.js';
import { GREETING, buildArguments, describeToolResult, matchFunctionTool, planReply } from './replies.js';

const weather: SessionTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Get the current weather for a city',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
    required: ['city', 'unit'],
  },
};
const booking: SessionTool = {
  type: 'function',
  name: 'bookTable',
  description: 'Reserve a restaurant table',
  parameters: { type: 'object', properties: { guests: { type: 'integer' }, outdoor: { type: 'boolean' } } },
};
const endCall: SessionTool = {
  type: 'function',
  name: 'end_call',
  description: 'Hang up when the user says goodbye',
};

function plan(
  userText: string | null,
  tools: SessionTool[],
  extra: Partial<Parameters<typeof planReply>[0]> = {},
) {
  return planReply({ userText, userTextUnrecognized: false, toolResults: [], tools, ...extra });
}

describe('replies', () => {
  it('matches a function by a word of its name or a keyword of its description', () => {
    const tools = [weather, booking, endCall];
    expect(matchFunctionTool('Will it rain? What is the weather like?', tools)?.name).toBe('get_weather');
    expect(matchFunctionTool('I want to book a table for four', tools)?.name).toBe('bookTable');
    expect(matchFunctionTool('ok goodbye then', tools)?.name).toBe('end_call');
    expect(matchFunctionTool('tell me a joke', tools)).toBeUndefined();
    expect(matchFunctionTool('weather', [])).toBeUndefined();
  });

  it('fills required arguments from the words', () => {
    expect(buildArguments(weather as never, 'fahrenheit weather for Lyon')).toEqual({
      city: 'Lyon',
      unit: 'fahrenheit',
    });
    expect(buildArguments(weather as never, "what's the weather in new york today?")).toEqual({
      city: 'New York',
      unit: 'celsius',
    });
    expect(buildArguments(booking as never, 'book a table for 6 people outside')).toEqual({
      guests: 6,
      outdoor: true,
    });
    expect(buildArguments(booking as never, 'book a table for two')).toEqual({ guests: 2, outdoor: true });
  });

  it('describes tool results, errors included', () => {
    expect(
      describeToolResult({ name: 'get_weather', arguments: '{"city":"Paris"}', output: '"sunny"' }),
    ).toBe('The weather in Paris is sunny.');
    expect(
      describeToolResult({
        name: 'get_weather',
        arguments: '{"city":"Oslo"}',
        output: '{"temp_c":3,"sky":"grey"}',
      }),
    ).toBe('The weather in Oslo is temp c 3, sky grey.');
    expect(
      describeToolResult({ name: 'lookup_order', arguments: '{"id":"A1"}', output: '{"error":"not found"}' }),
    ).toBe('Sorry, the order for A1 failed with not found.');
    expect(describeToolResult({ name: 'get_time', arguments: 'not json', output: 'noon.' })).toBe(
      'The time is noon.',
    );
  });

  it('answers searches only with the search tool configured, naming it', () => {
    const x: SessionTool = { type: 'x_search', allowed_x_handles: ['xai', 'grok'] };
    const files: SessionTool = { type: 'file_search', vector_store_ids: ['handbook'] };
    expect(plan('what are the latest tweets about rockets', [x])).toEqual({
      kind: 'audio',
      text: 'I searched X posts from xai and grok for what are the latest tweets about rockets and found a simulated post.',
    });
    expect(plan('check the documents for the holiday policy', [files, x])).toMatchObject({
      text: 'I searched the collection handbook for check the documents for the holiday policy and found a simulated document.',
    });
    expect(plan('check the documents for the holiday policy', [x])).toMatchObject({
      text: 'You said: check the documents for the holiday policy.',
    });
  });

  it('prefers tool outputs, then unrecognised speech, then words; greets with nothing new', () => {
    const toolResults = [{ name: 'get_weather', arguments: '{"city":"Rome"}', output: '"hot"' }];
    expect(plan('weather in Paris', [weather], { toolResults })).toEqual({
      kind: 'audio',
      text: 'The weather in Rome is hot.',
    });
    expect(plan('[unrecognized speech]', [weather], { userTextUnrecognized: true })).toEqual({
      kind: 'audio',
      text: 'Sorry, I did not catch that.',
    });
    expect(plan(null, [])).toEqual({ kind: 'audio', text: GREETING });
    expect(plan('   ', [], { responseInstructions: 'Say "Welcome back!"' })).toEqual({
      kind: 'audio',
      text: 'Welcome back!',
    });
    expect(plan('weather in Paris', [weather])).toEqual({
      kind: 'function_call',
      name: 'get_weather',
      arguments: '{"city":"Paris","unit":"celsius"}',
    });
  });
});
