import type { TurnMetrics, Usage } from '../metrics/types.js';

/**
 * Collects one turn's numbers as they happen (component metrics, first audio at the output) and
 * builds the `TurnMetrics` record at the end.
 */
export class TurnMetricsCollector {
  readonly turnId: string;
  readonly mode: TurnMetrics['mode'];
  /** `performance.now()` at the end of the user's speech, when the turn answers one. */
  readonly endOfSpeechAt: number | null;
  sttLatencyMs: number | null;
  llmTtftMs: number | null = null;
  ttsTtfbMs: number | null = null;
  ttsCharacters = 0;
  interrupted = false;
  #firstAudioAt: number | null = null;
  #usage: Usage | null = null;

  constructor(options: {
    turnId: string;
    mode: TurnMetrics['mode'];
    endOfSpeechAt?: number | null;
    sttLatencyMs?: number | null;
  }) {
    this.turnId = options.turnId;
    this.mode = options.mode;
    this.endOfSpeechAt = options.endOfSpeechAt ?? null;
    this.sttLatencyMs = options.sttLatencyMs ?? null;
  }

  /** The first agent audio reached the output now (only the first call counts). */
  firstAudio(at = performance.now()): void {
    this.#firstAudioAt ??= at;
  }

  get firstAudioAt(): number | null {
    return this.#firstAudioAt;
  }

  /** The first LLM request's time to first token counts; later rounds (after tools) do not. */
  llmTtft(ms: number | null): void {
    if (this.llmTtftMs === null && ms !== null) this.llmTtftMs = ms;
  }

  /** The first utterance's time to first byte counts. */
  ttsTtfb(ms: number | null): void {
    if (this.ttsTtfbMs === null && ms !== null) this.ttsTtfbMs = ms;
  }

  addUsage(usage: Usage | null | undefined): void {
    if (!usage) return;
    const sum = this.#usage ?? { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
    this.#usage = {
      promptTokens: sum.promptTokens + usage.promptTokens,
      completionTokens: sum.completionTokens + usage.completionTokens,
      totalTokens: sum.totalTokens + usage.totalTokens,
    };
  }

  build(): TurnMetrics {
    const endToAudio =
      this.endOfSpeechAt !== null && this.#firstAudioAt !== null
        ? Math.max(0, this.#firstAudioAt - this.endOfSpeechAt)
        : null;
    return {
      type: 'turn',
      turnId: this.turnId,
      mode: this.mode,
      sttLatencyMs: this.sttLatencyMs,
      llmTtftMs: this.llmTtftMs,
      ttsTtfbMs: this.ttsTtfbMs,
      endOfSpeechToFirstAudioMs: endToAudio,
      interrupted: this.interrupted,
      usage: this.#usage,
      ttsCharacters: this.ttsCharacters,
    };
  }
}
