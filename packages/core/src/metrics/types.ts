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
  /** End of user speech (or response request) → first audio delta. */
  ttfbMs: number | null;
  durationMs: number;
  interrupted: boolean;
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
  /** End of user speech → first agent audio at the output. */
  endOfSpeechToFirstAudioMs: number | null;
  interrupted: boolean;
  usage: Usage | null;
  ttsCharacters: number;
}

export type AgentMetrics = LLMMetrics | STTMetrics | TTSMetrics | RealtimeMetrics | TurnMetrics;
