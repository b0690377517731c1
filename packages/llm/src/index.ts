export { XAILLM } from './xai-llm.js';
export {
  DEFAULT_BASE_URL,
  DEFAULT_MODEL,
  DEFAULT_TEMPERATURE,
  type ReasoningEffort,
  type XAILLMOptions,
} from './options.js';
export { buildRequestBody } from './request.js';
export { ToolCallAccumulator, type ToolCallDelta } from './tool-calls.js';
