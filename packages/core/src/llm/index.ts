export * from './types.js';
export * from './llm.js';
export * from './conversational-graph.js';
export * from './json-field-extractor.js';
