/**
 * The chat-completions wire shapes that `ChatContext.toOpenAIMessages()` produces. Plain JSON types
 * of our own, so `@x/core` does not depend on the `openai` SDK; they are structurally compatible
 * with the SDK's `ChatCompletionMessageParam`.
 */
export type OpenAIContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string; detail?: 'auto' | 'low' | 'high' } };

export interface OpenAIToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type OpenAIChatMessage =
  | { role: 'system'; content: string }
  | { role: 'developer'; content: string }
  | { role: 'user'; content: string | OpenAIContentPart[] }
  | { role: 'assistant'; content?: string | null; tool_calls?: OpenAIToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

/** `{type:"function", function:{…}}`: the tool shape of chat completions. */
export interface OpenAIFunctionToolParam {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

/** `{type:"function", name, …}`: the flat tool shape of the realtime voice agent. */
export interface RealtimeFunctionToolParam {
  type: 'function';
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}
