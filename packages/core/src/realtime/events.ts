import type { APIError } from '../errors/errors.js';
import type { RealtimeMetrics } from '../metrics/types.js';

/** A transcript of either side of the conversation. */
export interface RealtimeTranscription {
  role: 'user' | 'assistant';
  /** Interim: the text so far (not a delta). Final: the whole utterance. */
  text: string;
  final: boolean;
  itemId?: string;
}

/** An agent tool ran because the model called it. */
export interface RealtimeFunctionExecutedEvent {
  name: string;
  callId: string;
  /** The raw JSON arguments the model sent. */
  arguments: string;
  /** The JSON output sent back to the model (an error object when `isError`). */
  output: string;
  isError: boolean;
}

export interface RealtimeAgentSpeechStartedEvent {
  responseId: string | null;
}

export interface RealtimeAgentSpeechEndedEvent {
  responseId: string | null;
  /** The user (or `interrupt()`) cut the agent off. */
  interrupted: boolean;
  /** Milliseconds of agent audio played in this stretch of speech. */
  playedMs: number;
}

export interface RealtimeReconnectedEvent {
  /** Connection attempts it took (1 = the first retry worked). */
  attempts: number;
  /** History entries replayed to the new session. */
  replayedItems: number;
}

/** A server event the client does not know; tolerated and surfaced for debugging. */
export interface RealtimeUnknownEvent {
  type: string;
  raw: unknown;
}

/**
 * Events of every `RealtimeModel`. `error` follows Node's rule: attach a listener, or an error
 * the model cannot recover from (e.g. reconnecting failed for good) is thrown.
 */
export type RealtimeEvents = {
  /** The server detected the start of user speech (an agent reply in progress was interrupted). */
  user_speech_started: () => void;
  /** The server detected the end of user speech. */
  user_speech_ended: () => void;
  /** The first audio of a reply reached the output. */
  agent_speech_started: (event: RealtimeAgentSpeechStartedEvent) => void;
  /** The agent's audio finished playing, or was interrupted. */
  agent_speech_ended: (event: RealtimeAgentSpeechEndedEvent) => void;
  transcription: (event: RealtimeTranscription) => void;
  function_executed: (event: RealtimeFunctionExecutedEvent) => void;
  /** The full text of a text-only reply (replies with audio report their words as `transcription`). */
  text_output: (text: string) => void;
  /** The connection dropped and was restored (session config and history replayed). */
  reconnected: (event: RealtimeReconnectedEvent) => void;
  error: (error: APIError) => void;
  /** One record per reply. */
  metrics: (metrics: RealtimeMetrics) => void;
  /** A server event the client did not recognise (tolerated). */
  unknown_event: (event: RealtimeUnknownEvent) => void;
};
