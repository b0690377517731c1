export * from './events.js';
export * from './realtime-model.js';
export {
  RealtimeConversationLog,
  type RealtimeConversationEntry,
  type RealtimeMessageEntry,
} from './conversation.js';
export { RealtimeInputConverter, RealtimeSampleBatcher } from './input-audio.js';
export { RealtimeOutputConverter } from './output-audio.js';
export { allocatePlayedMs, truncateTranscript, truncationPointMs } from './interruption.js';
