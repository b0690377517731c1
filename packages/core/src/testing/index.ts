// Fakes and conformance suites for provider packages, one folder per modality.
export * from './llm/index.js';
export * from './stt/index.js';
export * from './tts/index.js';
export * from './realtime/index.js';
