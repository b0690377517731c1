export {
  AgentSession,
  type StartOptions,
  type SayOptions,
  type GenerateReplyOptions,
} from './agent-session.js';
export type { AgentSessionOptions, SessionVADOptions, SessionMode } from './options.js';
export type {
  AgentSessionEvents,
  AgentState,
  UserState,
  StateChangedEvent,
  UserTranscriptEvent,
  AgentTranscriptEvent,
  FunctionExecutedEvent,
  SessionErrorEvent,
  SessionErrorSource,
} from './events.js';
export {
  SpeechHandle,
  SpeechInterruptedError,
  type SpeechResult,
  type SpeechStatus,
  type SpeechRequest,
  type UserTurnInfo,
} from './speech-handle.js';
export { SentenceSplitter, type SentenceSplitterOptions } from './sentence-splitter.js';
export { heardSentences, type SpokenSentence } from './interruption.js';
