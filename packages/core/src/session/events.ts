import type { AgentMetrics, TurnMetrics } from '../metrics/types.js';
import type { SpeechHandle } from './speech-handle.js';

/** What the agent is doing: waiting for the user, working on a reply, or playing audio. */
export type AgentState = 'listening' | 'thinking' | 'speaking';

/** Whether the user is talking (as the VAD, the STT or the realtime model's server VAD says). */
export type UserState = 'speaking' | 'listening';

/** The component an error came from. */
export type SessionErrorSource = 'stt' | 'llm' | 'tts' | 'realtime' | 'input' | 'session';

export interface StateChangedEvent<S> {
  oldState: S;
  newState: S;
}

export interface UserTranscriptEvent {
  /** Interim: the words of the utterance in progress. Final: the whole utterance. */
  text: string;
  final: boolean;
  language?: string;
}

export interface AgentTranscriptEvent {
  /**
   * Interim: the reply so far (text handed to speech synthesis, or the realtime model's words).
   * Final: the whole reply, or, when `interrupted`, only what the user heard.
   */
  text: string;
  final: boolean;
  interrupted: boolean;
  /**
   * The speech (see `SpeechHandle.id`) or realtime response the text belongs to. A realtime reply
   * cut by a dropped connection and asked for again continues under the cut reply's id (its
   * interim text starts over); a cut reply that is not asked for again ends with a final,
   * `interrupted` transcript of what was heard.
   */
  speechId: string;
}

/** A tool ran because the model called it (cascaded tool loop or realtime model). */
export interface FunctionExecutedEvent {
  name: string;
  callId: string;
  /** The raw JSON arguments the model sent. */
  arguments: string;
  /** The JSON output handed back to the model (an error object when `isError`). */
  output: string;
  isError: boolean;
}

/** A problem in one component. The session keeps running; a failed turn ends its speech only. */
export interface SessionErrorEvent {
  error: Error;
  source: SessionErrorSource;
  /** False when the component gave up for good (e.g. an STT whose reconnecting failed). */
  recoverable: boolean;
}

/**
 * Events of an `AgentSession`. `error` is emitted only while a listener is attached, so an
 * unhandled component error never crashes the process; attach one to see them.
 */
export type AgentSessionEvents = {
  agent_state_changed: (event: StateChangedEvent<AgentState>) => void;
  user_state_changed: (event: StateChangedEvent<UserState>) => void;
  user_transcript: (event: UserTranscriptEvent) => void;
  agent_transcript: (event: AgentTranscriptEvent) => void;
  function_executed: (event: FunctionExecutedEvent) => void;
  /** A speech was queued (`say`, `generateReply`, or a reply to a user turn). */
  speech_created: (handle: SpeechHandle) => void;
  /** One record per agent turn, the same shape in cascaded and realtime mode. */
  metrics: (metrics: TurnMetrics) => void;
  /** The components' own records (`LLMMetrics`, `STTMetrics`, `TTSMetrics`, `RealtimeMetrics`), passed through. */
  component_metrics: (metrics: AgentMetrics) => void;
  error: (event: SessionErrorEvent) => void;
  /** `close()` finished: every component is stopped. */
  close: () => void;
};
