/** Token usage reported by a model. */
export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface LLMMetrics {
  type: 'llm';
  provider: string;
  model: string;
  requestId: string | null;
  /** Request sent → first content or tool-call token. */
  ttftMs: number | null;
  durationMs: number;
  usage: Usage | null;
  cancelled: boolean;
  retries: number;
}

export interface STTMetrics {
  type: 'stt';
  provider: string;
  /** Audio sent for the utterance. */
  audioDurationMs: number;
  /** End of speech (last audio of the utterance) → final transcript. */
  latencyMs: number | null;
  requestId: string | null;
}

export interface TTSMetrics {
  type: 'tts';
  provider: string;
  /** First text sent → first audio byte received (LLM latency is not charged to TTS). */
  ttfbMs: number | null;
  durationMs: number;
  audioDurationMs: number;
  charactersCount: number;
  cancelled: boolean;
  requestId: string | null;
}

export interface RealtimeMetrics {
  type: 'realtime';
  provider: string;
  model: string;
  responseId: string | null;
  /**
   * End of the user's turn → first audio delta of this reply. With server VAD the turn ends when the
   * user pushed the audio at which the server says their speech stopped (its `audio_end_ms`), not
   * when that `speech_stopped` event arrives: the server sends it only after `silence_duration_ms`
   * of silence, which the user spends waiting too. When that audio is unknown (no position from the
   * server, or no longer kept), the event's arrival. Manual turns and requested replies: the
   * `commitAudio()` / `createResponse()` / `sendText()` call; a tool follow-up, or a reply asked
   * for again after a dropped connection: when it was asked for. Null for a reply with no audio.
   */
  ttfbMs: number | null;
  durationMs: number;
  interrupted: boolean;
  /**
   * Why an interrupted reply was cut: `interrupted` by the user (barge-in, `interrupt()`, a new
   * request), or `connection_lost` (the socket dropped mid-reply; once reconnected the reply is
   * asked for again, see the `reconnected` event's `resumedReply`). Absent when not interrupted.
   */
  interruptionReason?: 'interrupted' | 'connection_lost';
  usage: Usage | null;
}

/** One record per conversational turn, the same in cascaded and realtime mode. */
export interface TurnMetrics {
  type: 'turn';
  turnId: string;
  mode: 'cascaded' | 'realtime';
  sttLatencyMs: number | null;
  llmTtftMs: number | null;
  ttsTtfbMs: number | null;
  /**
   * End of user speech → first agent audio at the output. Realtime mode with server VAD: from when
   * the user pushed the audio where the server says their speech stopped (see
   * `RealtimeMetrics.ttfbMs`), so the server's silence wait is included.
   */
  endOfSpeechToFirstAudioMs: number | null;
  interrupted: boolean;
  usage: Usage | null;
  ttsCharacters: number;
}

export type AgentMetrics = LLMMetrics | STTMetrics | TTSMetrics | RealtimeMetrics | TurnMetrics;
