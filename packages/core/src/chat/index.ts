export * from './chat-context.js';
export * from './openai-types.js';
export * from './json-schema.js';
export * from './tool-arguments.js';
export * from './function-tool.js';
export * from './execute-tool-call.js';
export * from './agent.js';
