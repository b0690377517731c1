import { ChatContext, type FunctionTool, functionTool } from '@x/core';
import { describe, expect, it, vi } from 'vitest';
import { resolveXAILLMOptions } from './options.js';
import { buildRequestBody } from './request.js';

const options = resolveXAILLMOptions({ apiKey: 'test-key-0123456789' });

function context(): ChatContext {
  const ctx = ChatContext.empty();
  ctx.addMessage({ role: 'user', content: 'What is the weather in Paris?' });
  return ctx;
}

describe('buildRequestBody', () => {
  it('converts each tool once and reuses its frozen wire form, whatever array it comes in', () => {
    const weather = functionTool({
      name: 'get_weather',
      description: 'Get the weather.',
      parameters: {
        type: 'object',
        properties: { location: { type: 'string' } },
        required: ['location'],
      },
      execute: () => 'sunny',
    });
    const toOpenAITool = vi.fn(() => weather.toOpenAITool());
    const tool = { ...weather, toOpenAITool } as FunctionTool;
    const attempt = (tools: FunctionTool[]) => ({
      tools,
      toolChoice: 'auto' as const,
      conversationalGraph: undefined,
    });

    const first = buildRequestBody(context(), options, attempt([tool]));
    const second = buildRequestBody(context(), options, attempt([tool]));
    expect(first.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Get the weather.',
          parameters: {
            type: 'object',
            properties: { location: { type: 'string' } },
            required: ['location'],
          },
        },
      },
    ]);
    expect((second.tools as unknown[])[0]).toBe((first.tools as unknown[])[0]);
    expect(toOpenAITool).toHaveBeenCalledTimes(1);
    const wire = (first.tools as { function: { parameters: { required: string[] } } }[])[0]!;
    expect(Object.isFrozen(wire.function.parameters.required)).toBe(true);
    expect(() => wire.function.parameters.required.push('x')).toThrow(TypeError);
    // The tool's own schema is not the frozen copy.
    expect(Object.isFrozen(weather.parametersJsonSchema)).toBe(false);
  });
});
