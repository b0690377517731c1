// Foundations shared by every base class.
export * from './events/typed-emitter.js';
export * from './errors/errors.js';
export { redact, registerSecret } from './errors/redact.js';
export * from './retry/connect-options.js';
export { sleep } from './retry/sleep.js';
export { withRetry, type RetryOptions } from './retry/with-retry.js';
export { resolveApiKey } from './config/api-key.js';
export { oneOf, inRange } from './config/validate.js';
export type * from './metrics/types.js';

// One folder per responsibility; each folder's index.ts is its public surface.
export * from './audio-io/index.js';
export * from './chat/index.js';
export * from './llm/index.js';
export * from './stt/index.js';
export * from './tts/index.js';
export * from './realtime/index.js';
export * from './session/index.js';
export * from './transport/index.js';
