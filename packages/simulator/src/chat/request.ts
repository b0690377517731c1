import type { ErrorResponse } from '../server/errors.js';
import { CHAT_MODELS, supportsReasoningEffort, thinksSilently } from './models.js';
import type { RequestTool, ToolChoice } from './tools.js';

export interface ChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool';
  text: string;
  toolCallId?: string;
  toolCalls?: Array<{ id: string; name: string }>;
}

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; schema: unknown };

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream: boolean;
  includeUsage: boolean;
  tools: RequestTool[];
  toolChoice: ToolChoice;
  parallelToolCalls: boolean;
  responseFormat: ResponseFormat;
  maxTokens: number | undefined;
}

const ROLES = ['system', 'developer', 'user', 'assistant', 'tool', 'function'] as const;

function bad(message: string): { error: ErrorResponse } {
  return { error: { status: 400, message } };
}

function textOf(content: unknown): string | undefined {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const parts: string[] = [];
  for (const part of content) {
    if (typeof part !== 'object' || part === null) return undefined;
    const p = part as { type?: unknown; text?: unknown };
    if (p.type === 'text' && typeof p.text === 'string') parts.push(p.text);
    else if (typeof p.type !== 'string') return undefined;
  }
  return parts.join('\n');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates a chat completions body the way xAI does (400 for bad input, 404 for an unknown model). */
export function parseChatRequest(
  body: unknown,
  extraModels: readonly string[],
): ChatRequest | { error: ErrorResponse } {
  if (!isObject(body)) return bad('The request body must be a JSON object.');
  const model = body.model;
  if (typeof model !== 'string' || model.length === 0) return bad('model is required and must be a string.');
  if (!CHAT_MODELS.includes(model) && !extraModels.includes(model)) {
    return {
      error: {
        status: 404,
        message: `The model ${model} does not exist or your team does not have access to it. Please ensure you're using the correct API key and model name.`,
      },
    };
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return bad('messages must be a non-empty array.');
  }
  const messages: ChatMessage[] = [];
  for (const [i, raw] of body.messages.entries()) {
    if (!isObject(raw) || !ROLES.includes(raw.role as (typeof ROLES)[number])) {
      return bad(`messages[${i}].role must be one of ${ROLES.join(', ')}.`);
    }
    const text = textOf(raw.content);
    if (text === undefined)
      return bad(`messages[${i}].content must be a string or an array of content parts.`);
    const role = raw.role === 'function' ? 'tool' : (raw.role as ChatMessage['role']);
    const message: ChatMessage = { role, text };
    if (role === 'tool') {
      if (typeof raw.tool_call_id !== 'string')
        return bad(`messages[${i}].tool_call_id is required for role "tool".`);
      message.toolCallId = raw.tool_call_id;
    }
    if (role === 'assistant' && Array.isArray(raw.tool_calls)) {
      message.toolCalls = [];
      for (const call of raw.tool_calls) {
        const fn = isObject(call) && isObject(call.function) ? call.function : undefined;
        if (!isObject(call) || typeof call.id !== 'string' || !fn || typeof fn.name !== 'string') {
          return bad(`messages[${i}].tool_calls entries need an id and function.name.`);
        }
        message.toolCalls.push({ id: call.id, name: fn.name });
      }
    }
    messages.push(message);
  }

  if (body.stream !== undefined && typeof body.stream !== 'boolean') return bad('stream must be a boolean.');
  const stream = body.stream === true;
  const streamOptions = body.stream_options;
  if (streamOptions !== undefined && streamOptions !== null && !isObject(streamOptions)) {
    return bad('stream_options must be an object.');
  }
  const includeUsage = isObject(streamOptions) && streamOptions.include_usage === true;

  const tools: RequestTool[] = [];
  if (body.tools !== undefined && body.tools !== null) {
    if (!Array.isArray(body.tools)) return bad('tools must be an array.');
    for (const [i, raw] of body.tools.entries()) {
      const fn =
        isObject(raw) && raw.type === 'function' && isObject(raw.function) ? raw.function : undefined;
      if (!fn || typeof fn.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(fn.name)) {
        return bad(
          `tools[${i}] must be {"type":"function","function":{"name":"^[a-zA-Z0-9_-]{1,64}$",...}}.`,
        );
      }
      if (fn.parameters !== undefined && !isObject(fn.parameters)) {
        return bad(`tools[${i}].function.parameters must be a JSON Schema object.`);
      }
      tools.push({
        name: fn.name,
        description: typeof fn.description === 'string' ? fn.description : '',
        parameters: fn.parameters ?? { type: 'object', properties: {} },
      });
    }
  }

  let toolChoice: ToolChoice = 'auto';
  if (body.tool_choice !== undefined && body.tool_choice !== null) {
    if (tools.length === 0) return bad('tool_choice is only allowed when tools are specified.');
    const choice = body.tool_choice;
    if (choice === 'auto' || choice === 'none' || choice === 'required') toolChoice = choice;
    else if (isObject(choice) && choice.type === 'function' && isObject(choice.function)) {
      const name = choice.function.name;
      if (typeof name !== 'string' || !tools.some((t) => t.name === name)) {
        return bad(`tool_choice names a function that is not in tools: ${JSON.stringify(name)}.`);
      }
      toolChoice = { name };
    } else {
      return bad(
        'tool_choice must be "auto", "none", "required" or {"type":"function","function":{"name":...}}.',
      );
    }
  }
  if (body.parallel_tool_calls !== undefined && typeof body.parallel_tool_calls !== 'boolean') {
    return bad('parallel_tool_calls must be a boolean.');
  }

  let responseFormat: ResponseFormat = { type: 'text' };
  if (body.response_format !== undefined && body.response_format !== null) {
    const rf = body.response_format;
    if (!isObject(rf)) return bad('response_format must be an object.');
    if (rf.type === 'text' || rf.type === 'json_object') responseFormat = { type: rf.type };
    else if (rf.type === 'json_schema') {
      const js = rf.json_schema;
      if (!isObject(js) || !isObject(js.schema)) {
        return bad('response_format.json_schema.schema is required for type "json_schema".');
      }
      responseFormat = { type: 'json_schema', schema: js.schema };
    } else return bad('response_format.type must be one of text, json_object, json_schema.');
  }

  let maxTokens: number | undefined;
  for (const key of ['max_completion_tokens', 'max_tokens'] as const) {
    const value = body[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      return bad(`${key} must be a positive integer.`);
    }
    maxTokens = Math.min(maxTokens ?? value, value);
  }

  if (body.reasoning_effort !== undefined && body.reasoning_effort !== null) {
    if (!supportsReasoningEffort(model)) {
      return bad(`Model ${model} does not support parameter reasoningEffort.`);
    }
    if (body.reasoning_effort !== 'low' && body.reasoning_effort !== 'high') {
      return bad('reasoning_effort must be "low" or "high".');
    }
  }
  if (thinksSilently(model) || supportsReasoningEffort(model)) {
    for (const key of ['presence_penalty', 'frequency_penalty', 'stop'] as const) {
      if (body[key] !== undefined && body[key] !== null) {
        return bad(`Model ${model} does not support parameter ${key}.`);
      }
    }
  }
  for (const [key, lo, hi] of [
    ['temperature', 0, 2],
    ['top_p', 0, 1],
  ] as const) {
    const value = body[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || value < lo || value > hi)
      return bad(`${key} must be a number from ${lo} to ${hi}.`);
  }

  return {
    model,
    messages,
    stream,
    includeUsage,
    tools,
    toolChoice,
    parallelToolCalls: body.parallel_tool_calls !== false,
    responseFormat,
    maxTokens,
  };
}
