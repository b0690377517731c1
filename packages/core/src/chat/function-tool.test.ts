import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isConfigurationError } from '../errors/errors.js';
import { Agent } from './agent.js';
import { executeToolCall } from './execute-tool-call.js';
import { ToolArgumentsError, functionTool } from './function-tool.js';

const weatherZod = functionTool({
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: z.object({
    location: z.string().describe('City'),
    unit: z.enum(['c', 'f']).default('c'),
  }),
  execute: ({ location, unit }) => ({ location, unit, temperature: unit === 'c' ? 21 : 70 }),
});

const weatherJson = functionTool<{ location: string; days?: number }>({
  name: 'forecast',
  description: 'Forecast',
  parameters: {
    type: 'object',
    properties: {
      location: { type: 'string' },
      days: { type: 'integer', minimum: 1, maximum: 7 },
      tags: { type: 'array', items: { type: 'string', enum: ['rain', 'sun'] } },
    },
    required: ['location'],
    additionalProperties: false,
  },
  execute: ({ location, days }) => `${location}:${days ?? 1}`,
});

describe('functionTool', () => {
  it('converts a zod schema to JSON Schema for both wire shapes', () => {
    const expected = {
      type: 'object',
      properties: {
        location: { type: 'string', description: 'City' },
        unit: { type: 'string', enum: ['c', 'f'], default: 'c' },
      },
      required: ['location', 'unit'],
      additionalProperties: false,
    };
    expect(weatherZod.toOpenAITool()).toEqual({
      type: 'function',
      function: { name: 'get_weather', description: 'Weather for a city', parameters: expected },
    });
    expect(weatherZod.toRealtimeTool()).toEqual({
      type: 'function',
      name: 'get_weather',
      description: 'Weather for a city',
      parameters: expected,
    });
    expect('$schema' in weatherZod.parametersJsonSchema).toBe(false);
  });

  it('parses with zod (defaults apply) and reports zod issues as ToolArgumentsError', () => {
    expect(weatherZod.parse({ location: 'Paris' })).toEqual({ location: 'Paris', unit: 'c' });
    try {
      weatherZod.parse({ location: 5, unit: 'k' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ToolArgumentsError);
      const e = error as ToolArgumentsError;
      expect(e.toolName).toBe('get_weather');
      expect(e.issues).toHaveLength(2);
      expect(e.issues[0]).toMatch(/^\$\.location: /);
      expect(e.issues[1]).toMatch(/^\$\.unit: /);
    }
  });

  it('validates against a JSON Schema: type, required, enum, items, bounds, additionalProperties', () => {
    expect(weatherJson.parse({ location: 'Oslo', days: 3, tags: ['sun'] })).toEqual({
      location: 'Oslo',
      days: 3,
      tags: ['sun'],
    });
    const issues = (args: unknown) => {
      try {
        weatherJson.parse(args);
        return [];
      } catch (error) {
        return [...(error as ToolArgumentsError).issues];
      }
    };
    expect(issues({})).toEqual(['$.location: is required']);
    expect(issues({ location: 1 })).toEqual(['$.location: expected string, got integer 1']);
    expect(issues({ location: 'x', days: 2.5 })).toEqual(['$.days: expected integer, got number']);
    expect(issues({ location: 'x', days: 9 })).toEqual(['$.days: must be ≤ 7, got 9']);
    expect(issues({ location: 'x', tags: ['sun', 'snow'] })).toEqual([
      '$.tags[1]: must be one of "rain", "sun", got "snow"',
    ]);
    expect(issues({ location: 'x', extra: true })).toEqual(['$.extra: is not an allowed property']);
    expect(issues([1])).toEqual(['$: expected object, got array']);
  });

  it('defaults to an empty object schema and accepts no arguments', () => {
    const ping = functionTool({ name: 'ping', description: 'Ping', execute: () => 'pong' });
    expect(ping.toOpenAITool().function.parameters).toEqual({
      type: 'object',
      properties: {},
      additionalProperties: false,
    });
    expect(ping.parse(undefined)).toEqual({});
    expect(() => ping.parse({ a: 1 })).toThrow(ToolArgumentsError);
  });

  it('rejects bad names, non-object schemas and missing execute with ConfigurationError', () => {
    const bad = (def: Record<string, unknown>) => () =>
      functionTool({ name: 'ok', description: 'd', execute: () => 1, ...def } as never);
    for (const name of ['', 'has space', 'a.b', 'x'.repeat(65), 'ünïcode']) {
      expect(bad({ name }), name).toThrow(/Invalid option "name"/);
    }
    expect(bad({ name: 'a-b_C9' })).not.toThrow();
    expect(bad({ name: 'x'.repeat(64) })).not.toThrow();
    expect(bad({ parameters: { type: 'string' } })).toThrow(/Invalid option "parameters"/);
    expect(bad({ parameters: z.string() })).toThrow(/Invalid option "parameters"/);
    expect(bad({ parameters: z.object({ when: z.date() }) })).toThrow(/Invalid option "parameters"/);
    expect(bad({ execute: 'nope' })).toThrow(/Invalid option "execute"/);
    try {
      bad({ name: 'a b' })();
    } catch (error) {
      expect(isConfigurationError(error)).toBe(true);
    }
  });
});

describe('executeToolCall', () => {
  const tools = [weatherZod, weatherJson];

  it('runs the tool with validated arguments and returns JSON output', async () => {
    const result = await executeToolCall(tools, {
      callId: 'c1',
      name: 'get_weather',
      arguments: '{"location":"Paris","unit":"f"}',
    });
    expect(result).toEqual({
      callId: 'c1',
      name: 'get_weather',
      output: '{"location":"Paris","unit":"f","temperature":70}',
      isError: false,
    });
    const text = await executeToolCall(tools, {
      callId: 'c2',
      name: 'forecast',
      arguments: '{"location":"Oslo"}',
    });
    expect(text.output).toBe('"Oslo:1"');
  });

  it('passes the signal and call id to the tool', async () => {
    const seen: unknown[] = [];
    const tool = functionTool({
      name: 'probe',
      description: 'p',
      execute: (_args, ctx) => {
        seen.push(ctx.signal, ctx.callId);
        return null;
      },
    });
    const controller = new AbortController();
    const result = await executeToolCall(
      [tool],
      { callId: 'c9', name: 'probe', arguments: '' },
      controller.signal,
    );
    expect(result).toMatchObject({ output: 'null', isError: false });
    expect(seen).toEqual([controller.signal, 'c9']);
  });

  it('turns an unknown tool into an error result listing the tools', async () => {
    const result = await executeToolCall(tools, { callId: 'c1', name: 'get_time', arguments: '{}' });
    expect(result.isError).toBe(true);
    expect(JSON.parse(result.output)).toEqual({
      error: 'Unknown tool "get_time". Available tools: get_weather, forecast.',
    });
  });

  it('turns invalid JSON and invalid arguments into error results', async () => {
    const broken = await executeToolCall(tools, {
      callId: 'c1',
      name: 'get_weather',
      arguments: '{"location":',
    });
    expect(broken.isError).toBe(true);
    expect(JSON.parse(broken.output).error).toMatch(
      /^Invalid arguments for tool "get_weather": arguments are not valid JSON/,
    );
    const array = await executeToolCall(tools, { callId: 'c1', name: 'get_weather', arguments: '[1]' });
    expect(JSON.parse(array.output).error).toMatch(/must be a JSON object/);
    const wrong = await executeToolCall(tools, { callId: 'c1', name: 'forecast', arguments: '{"days":0}' });
    expect(wrong.isError).toBe(true);
    expect(JSON.parse(wrong.output).error).toBe(
      'Invalid arguments for tool "forecast": $.location: is required; $.days: must be ≥ 1, got 0',
    );
  });

  it('turns a throwing or rejecting tool into an error result', async () => {
    const thrower = functionTool({
      name: 'boom',
      description: 'b',
      execute: () => {
        throw new Error('disk on fire');
      },
    });
    const rejecter = functionTool({
      name: 'later',
      description: 'l',
      execute: async () => Promise.reject(new TypeError('bad state')),
    });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const unserialisable = functionTool({ name: 'loop', description: 'c', execute: () => circular });
    const all = [thrower, rejecter, unserialisable];
    const a = await executeToolCall(all, { callId: 'a', name: 'boom', arguments: '{}' });
    const b = await executeToolCall(all, { callId: 'b', name: 'later', arguments: '{}' });
    const c = await executeToolCall(all, { callId: 'c', name: 'loop', arguments: '{}' });
    expect([a.isError, b.isError, c.isError]).toEqual([true, true, true]);
    expect(JSON.parse(a.output)).toEqual({ error: 'Tool "boom" failed: disk on fire' });
    expect(JSON.parse(b.output)).toEqual({ error: 'Tool "later" failed: bad state' });
    expect(JSON.parse(c.output).error).toMatch(/^Tool "loop" returned a value that is not JSON-serialisable/);
  });

  it('does not run a tool when the signal is already aborted', async () => {
    let ran = false;
    const tool = functionTool({ name: 't', description: 't', execute: () => (ran = true) });
    const controller = new AbortController();
    controller.abort();
    const result = await executeToolCall(
      [tool],
      { callId: 'c', name: 't', arguments: '{}' },
      controller.signal,
    );
    expect(result.isError).toBe(true);
    expect(ran).toBe(false);
  });
});

describe('Agent', () => {
  it('holds instructions and tools and rejects duplicates', () => {
    const agent = new Agent({ instructions: 'Be nice.', tools: [weatherZod], name: 'helper' });
    expect(agent.instructions).toBe('Be nice.');
    expect(agent.tools.map((t) => t.name)).toEqual(['get_weather']);
    expect(agent.name).toBe('helper');
    expect(new Agent({ instructions: '' }).tools).toEqual([]);
    expect(() => new Agent({ instructions: 'x', tools: [weatherZod, weatherZod] })).toThrow(
      /unique tool names/,
    );
    expect(() => new Agent({ instructions: 5 as unknown as string })).toThrow(
      /Invalid option "instructions"/,
    );
  });
});
