import type { ChatContext, LLMAttemptOptions, ToolChoice } from '@x/core';
import type { ResolvedXAILLMOptions } from './options.js';

/** The chat-completions request body for one attempt (plain JSON, as sent on the wire). */
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
    body.tools = attempt.tools.map((tool) => tool.toOpenAITool());
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
