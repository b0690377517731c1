import { Hints } from './hints.js';
import { streamsReasoningContent } from './models.js';
import type { ChatMessage, ChatRequest } from './request.js';
import { valueFromSchema } from './schema-values.js';
import { countTokens, tokenize } from './tokens.js';
import { planToolCalls } from './tools.js';

/** Put this in a user message to have the tool call's arguments streamed over several chunks. */
export const SPLIT_ARGS_MARKER = '[sim:split_args]';
const MARKERS = /\[sim:[a-z_]+\]/g;

export interface ReplyToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: {
    text_tokens: number;
    audio_tokens: number;
    image_tokens: number;
    cached_tokens: number;
  };
  completion_tokens_details: {
    reasoning_tokens: number;
    audio_tokens: number;
    accepted_prediction_tokens: number;
    rejected_prediction_tokens: number;
  };
}

export interface Reply {
  reasoning: string | undefined;
  content: string;
  toolCalls: ReplyToolCall[];
  finishReason: 'stop' | 'length' | 'tool_calls';
  splitToolArguments: boolean;
  usage: Usage;
}

function lastUserText(messages: readonly ChatMessage[]): string | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m?.role === 'user') return m.text;
  }
  return undefined;
}

function describeResult(text: string): string {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const parts = Object.entries(value).map(
        ([k, v]) => `${k.replace(/_/g, ' ')} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`,
      );
      return parts.join(', ');
    }
    return typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    return text.trim();
  }
}

/** The trailing `tool` messages (results the model should now use), with their tool names. */
function trailingToolResults(messages: readonly ChatMessage[]): Array<{ name: string; text: string }> {
  const results: Array<{ name: string; text: string }> = [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m?.role !== 'tool') break;
    const call = messages
      .slice(0, i)
      .flatMap((x) => x.toolCalls ?? [])
      .find((c) => c.id === m.toolCallId);
    results.unshift({ name: call?.name ?? 'the tool', text: m.text });
  }
  return results;
}

function truncate(text: string, maxTokens: number | undefined): { text: string; truncated: boolean } {
  if (maxTokens === undefined) return { text, truncated: false };
  const tokens = tokenize(text);
  let count = 0;
  let out = '';
  for (const token of tokens) {
    if (token.trim().length === 0) continue;
    if (count >= maxTokens) return { text: out, truncated: true };
    out += token;
    count += 1;
  }
  return { text, truncated: false };
}

/**
 * The simulator's deterministic "model":
 * - after tool results → an answer built from them ("Here is what get_weather returned: …");
 * - tools offered and the message asks for one (by name or description words) → tool calls;
 * - `response_format` json_schema / json_object → JSON generated from the schema;
 * - otherwise → "You said: <last user message>. …" (several deltas when streamed).
 */
export function respond(request: ChatRequest, newCallId: () => string, splitByDefault: boolean): Reply {
  const rawUser = lastUserText(request.messages);
  const userText = (rawUser ?? '').replace(MARKERS, '').replace(/\s+/g, ' ').trim();
  const splitToolArguments = splitByDefault || (rawUser ?? '').includes(SPLIT_ARGS_MARKER);
  const last = request.messages[request.messages.length - 1];

  let content = '';
  let toolCalls: ReplyToolCall[] = [];
  if (last?.role === 'tool') {
    const results = trailingToolResults(request.messages);
    if (request.responseFormat.type === 'json_schema') {
      content = JSON.stringify(
        valueFromSchema(request.responseFormat.schema, {
          allProperties: true,
          hints: new Hints(results.map((r) => describeResult(r.text)).join(' ')),
        }),
      );
    } else {
      content = results.map((r) => `Here is what ${r.name} returned: ${describeResult(r.text)}.`).join(' ');
    }
  } else {
    const planned = planToolCalls(request.tools, userText, request.toolChoice, request.parallelToolCalls);
    if (planned.length > 0 && last?.role === 'user') {
      toolCalls = planned.map((call) => ({ id: newCallId(), ...call }));
    } else if (request.responseFormat.type === 'json_schema') {
      content = JSON.stringify(
        valueFromSchema(request.responseFormat.schema, { allProperties: true, hints: new Hints(userText) }),
      );
    } else if (request.responseFormat.type === 'json_object') {
      content = JSON.stringify({ reply: userText.length > 0 ? `You said: ${userText}` : 'Hello!' });
    } else if (userText.length > 0) {
      content = `You said: ${userText}. What else can I do for you?`;
    } else {
      content = 'Hello! How can I help you today?';
    }
  }

  const { text, truncated } = truncate(content, request.maxTokens);
  const reasoning = streamsReasoningContent(request.model)
    ? 'Let me think about what the user asked and answer briefly.'
    : undefined;
  const promptTokens = request.messages.reduce((sum, m) => sum + countTokens(m.text) + 3, 0);
  const reasoningTokens = reasoning ? countTokens(reasoning) : 0;
  const completionTokens =
    countTokens(text) + toolCalls.reduce((sum, c) => sum + countTokens(c.name) + countTokens(c.arguments), 0);
  return {
    reasoning,
    content: text,
    toolCalls,
    finishReason: toolCalls.length > 0 ? 'tool_calls' : truncated ? 'length' : 'stop',
    splitToolArguments,
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens + reasoningTokens,
      total_tokens: promptTokens + completionTokens + reasoningTokens,
      prompt_tokens_details: {
        text_tokens: promptTokens,
        audio_tokens: 0,
        image_tokens: 0,
        cached_tokens: 0,
      },
      completion_tokens_details: {
        reasoning_tokens: reasoningTokens,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    },
  };
}
