import type { APIError } from '../errors/errors.js';
import type { RealtimeMetrics } from '../metrics/types.js';

/** A transcript of either side of the conversation. */
export interface RealtimeTranscription {
  role: 'user' | 'assistant';
  /** Interim: the text so far (not a delta). Final: the whole utterance. */
  text: string;
  final: boolean;
  itemId?: string;
  /**
   * On a final assistant transcription: whether the reply was cut off (barge-in or `interrupt()`);
   * `text` is then the part that was heard. Absent on interim and user transcriptions.
   */
  interrupted?: boolean;
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

export interface RealtimeUserSpeechEndedEvent {
  /**
   * When the user stopped speaking, as `performance.now()`: the moment the audio where the server
   * says their speech ended (its `audio_end_ms`) was handed to `pushAudio`. The server reports the
   * end only after its VAD has heard `silence_duration_ms` of silence, so this is earlier than the
   * event. When that audio is unknown (no position from the server, or older than what is kept),
   * the event's arrival.
   */
  endedAtMs: number;
}

export interface RealtimeAgentSpeechStartedEvent {
  responseId: string | null;
}

export interface RealtimeAgentSpeechEndedEvent {
  responseId: string | null;
  /**
   * The agent was cut off: by the user (or `interrupt()`), or because the connection dropped
   * mid-reply (`reason: 'connection_lost'`).
   */
  interrupted: boolean;
  /** Why an interrupted speech ended early; absent when it played out. */
  reason?: 'interrupted' | 'connection_lost';
  /** Milliseconds of agent audio played in this stretch of speech. */
  playedMs: number;
}

export interface RealtimeReconnectedEvent {
  /** Connection attempts it took (1 = the first retry worked). */
  attempts: number;
  /** History entries replayed to the new session. */
  replayedItems: number;
  /**
   * User audio sent again on the new connection: the audio of the user's turn that the old
   * connection had not yet acknowledged with a transcript (see `RealtimeModelOptions.maxReplayInputMs`).
   */
  replayedInputMs: number;
  /** A reply cut by the drop (or requested and never started) was asked for again (`response.create`). */
  resumedReply: boolean;
}

/** User audio was dropped: it may never reach the model. Also counted in `droppedInputMs`. */
export interface RealtimeInputDroppedEvent {
  /** Milliseconds dropped now. */
  droppedMs: number;
  /**
   * `buffer_full`: more than `maxBufferedInputMs` was pushed while not connected (the oldest went);
   * `replay_limit`: the unacknowledged user turn was longer than `maxReplayInputMs` when the
   * connection dropped, so its oldest audio could not be sent again.
   */
  reason: 'buffer_full' | 'replay_limit';
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
  /** The server detected the end of user speech (see `endedAtMs` for when it ended). */
  user_speech_ended: (event: RealtimeUserSpeechEndedEvent) => void;
  /** The first audio of a reply reached the output. */
  agent_speech_started: (event: RealtimeAgentSpeechStartedEvent) => void;
  /** The agent's audio finished playing, or was interrupted. */
  agent_speech_ended: (event: RealtimeAgentSpeechEndedEvent) => void;
  transcription: (event: RealtimeTranscription) => void;
  function_executed: (event: RealtimeFunctionExecutedEvent) => void;
  /** The full text of a text-only reply (replies with audio report their words as `transcription`). */
  text_output: (text: string) => void;
  /**
   * The connection dropped (or went silent beyond `responseTimeoutMs`) and was restored: session
   * config, history and the unacknowledged user audio replayed, and a cut reply asked for again.
   */
  reconnected: (event: RealtimeReconnectedEvent) => void;
  /** User audio was dropped (bounded buffers); see `droppedInputMs`. */
  input_dropped: (event: RealtimeInputDroppedEvent) => void;
  error: (error: APIError) => void;
  /** One record per reply. */
  metrics: (metrics: RealtimeMetrics) => void;
  /** A server event the client did not recognise (tolerated). */
  unknown_event: (event: RealtimeUnknownEvent) => void;
};
