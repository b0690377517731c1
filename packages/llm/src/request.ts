import type { ChatContext, FunctionTool, LLMAttemptOptions, ToolChoice } from '@x/core';
import type { ResolvedXAILLMOptions } from './options.js';

/**
 * The chat-completions request body for one attempt (plain JSON, as sent on the wire). Its
 * `tools` entries are shared between requests and frozen.
 */
export function buildRequestBody(
  ctx: ChatContext,
  options: ResolvedXAILLMOptions,
  attempt: Pick<LLMAttemptOptions, 'tools' | 'toolChoice' | 'conversationalGraph'>,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: options.model,
    // xAI documents system/user/assistant/tool; developer instructions go as system.
    messages: ctx.toOpenAIMessages({ developerRole: 'system' }),
    stream: true,
    stream_options: { include_usage: true },
    temperature: options.temperature,
  };
  if (options.maxCompletionTokens !== undefined) body.max_completion_tokens = options.maxCompletionTokens;
  if (attempt.tools.length > 0) {
    body.tools = attempt.tools.map(wireTool);
    body.tool_choice = wireToolChoice(attempt.toolChoice ?? 'auto');
    if (options.parallelToolCalls !== undefined) body.parallel_tool_calls = options.parallelToolCalls;
  }
  if (options.reasoningEffort !== undefined) body.reasoning_effort = options.reasoningEffort;
  const graph = attempt.conversationalGraph;
  if (graph) {
    body.response_format = {
      type: 'json_schema',
      json_schema: {
        name: graph.name,
        ...(graph.description ? { description: graph.description } : {}),
        strict: true,
        schema: graph.jsonSchema,
      },
    };
  }
  return { ...body, ...options.extraBody };
}

function wireToolChoice(choice: ToolChoice): unknown {
  return typeof choice === 'object' ? { type: 'function', function: { name: choice.name } } : choice;
}

/** Each tool's wire form, made once: `toOpenAITool()` deep-copies the schema on every call. */
const wireTools = new WeakMap<FunctionTool, unknown>();

function wireTool(tool: FunctionTool): unknown {
  let wire = wireTools.get(tool);
  if (wire === undefined) {
    wire = deepFreeze(tool.toOpenAITool());
    wireTools.set(tool, wire);
  }
  return wire;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
