import {
  type ConnectOptions,
  ConfigurationError,
  type FunctionTool,
  type ToolChoice,
  inRange,
  oneOf,
  resolveApiKey,
} from '@x/core';

export const DEFAULT_MODEL = 'grok-4-1-fast-non-reasoning';
export const DEFAULT_BASE_URL = 'https://api.x.ai/v1';
export const DEFAULT_TEMPERATURE = 0.7;

export type ReasoningEffort = 'low' | 'high';

export interface XAILLMOptions {
  /** xAI API key; default `process.env.XAI_API_KEY`. */
  apiKey?: string;
  /** Default `grok-4-1-fast-non-reasoning`. */
  model?: string;
  /** Default `https://api.x.ai/v1`; point it at `@x/simulator` for offline runs. */
  baseURL?: string;
  /** 0–2, default 0.7. */
  temperature?: number;
  /** Default `"auto"`; sent only when there are tools. */
  toolChoice?: ToolChoice;
  /** Upper bound on generated tokens (`max_completion_tokens`). */
  maxCompletionTokens?: number;
  /** Tools offered on every request unless a `chat()` call passes its own. */
  tools?: readonly FunctionTool[];
  /** `parallel_tool_calls`; sent only with tools and only when set. */
  parallelToolCalls?: boolean;
  /** `reasoning_effort`; sent only when set (only some models accept it). */
  reasoningEffort?: ReasoningEffort;
  /** Extra request body fields (e.g. `{ top_p: 0.9 }`), merged over the generated ones. */
  extraBody?: Record<string, unknown>;
  /** Retries, backoff and per-attempt timeout (time to first output). */
  connectOptions?: Partial<ConnectOptions>;
  /**
   * The `fetch` the openai SDK sends requests with. Default: a lean client on `node:http` /
   * `node:https` with keep-alive (`NodeHttpFetch`), which costs well under half the CPU of Node's
   * built-in fetch per streamed request. Pass `globalThis.fetch`, or undici's with a proxy agent,
   * to use another.
   */
  fetch?: typeof globalThis.fetch;
}

export interface ResolvedXAILLMOptions {
  apiKey: string;
  model: string;
  baseURL: string;
  temperature: number;
  toolChoice: ToolChoice;
  maxCompletionTokens: number | undefined;
  parallelToolCalls: boolean | undefined;
  reasoningEffort: ReasoningEffort | undefined;
  extraBody: Record<string, unknown>;
  fetch: typeof globalThis.fetch | undefined;
}

/** Fields the client owns; `extraBody` may not replace them. */
const RESERVED_BODY_FIELDS = ['model', 'messages', 'stream'];

/** Applies defaults and validates every option; throws `ConfigurationError` naming the option. */
export function resolveXAILLMOptions(options: XAILLMOptions): ResolvedXAILLMOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError('options', options, 'an options object');
  }
  const model = options.model ?? DEFAULT_MODEL;
  if (typeof model !== 'string' || model.trim() === '') {
    throw new ConfigurationError('model', model, `a model id such as "${DEFAULT_MODEL}"`);
  }
  const baseURL = options.baseURL ?? DEFAULT_BASE_URL;
  if (typeof baseURL !== 'string' || !isHttpUrl(baseURL)) {
    throw new ConfigurationError('baseURL', baseURL, `an http(s) URL such as "${DEFAULT_BASE_URL}"`);
  }
  const temperature = inRange('temperature', options.temperature ?? DEFAULT_TEMPERATURE, 0, 2);
  const maxCompletionTokens =
    options.maxCompletionTokens === undefined
      ? undefined
      : inRange('maxCompletionTokens', options.maxCompletionTokens, 1, 2_000_000, { integer: true });
  if (options.parallelToolCalls !== undefined && typeof options.parallelToolCalls !== 'boolean') {
    throw new ConfigurationError('parallelToolCalls', options.parallelToolCalls, 'true or false');
  }
  const reasoningEffort =
    options.reasoningEffort === undefined
      ? undefined
      : oneOf('reasoningEffort', options.reasoningEffort, ['low', 'high'] as const);
  const extraBody = options.extraBody ?? {};
  if (typeof extraBody !== 'object' || extraBody === null || Array.isArray(extraBody)) {
    throw new ConfigurationError('extraBody', extraBody, 'an object of extra request fields');
  }
  for (const field of RESERVED_BODY_FIELDS) {
    if (field in extraBody) {
      throw new ConfigurationError(
        `extraBody.${field}`,
        '(set)',
        'not set: the client fills this field',
        field === 'model' ? 'Use the "model" option.' : undefined,
      );
    }
  }
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new ConfigurationError('fetch', options.fetch, 'a fetch function (or leave it unset)');
  }
  // Last: the key is only read once every other option is known to be valid.
  const apiKey = resolveApiKey(options.apiKey);
  return {
    apiKey,
    model,
    baseURL: baseURL.replace(/\/+$/, ''),
    temperature,
    toolChoice: options.toolChoice ?? 'auto',
    maxCompletionTokens,
    parallelToolCalls: options.parallelToolCalls,
    reasoningEffort,
    extraBody: { ...extraBody },
    fetch: options.fetch,
  };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
