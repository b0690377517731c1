export {
  FakeLLM,
  type FakeLLMOptions,
  type FakeLLMResponse,
  type FakeLLMRequest,
  type FakeLLMResponder,
  type FakeToolCall,
} from './fake-llm.js';
export { llmConformanceChecks, type LLMConformanceSetup, type LLMConformanceCheck } from './conformance.js';
export {
  CONFORMANCE_GRAPH,
  CONFORMANCE_TEMPERATURE_C,
  DEFAULT_CONFORMANCE_PROMPTS,
  conformanceWeatherTool,
  type ConformancePrompts,
} from './fixture.js';
export { sampleValue } from './sample-value.js';
