import {
  type AudioFrame,
  dbfs,
  EnergyVAD,
  frameDurationMs,
  isSupportedSampleRate,
  resampleFrame,
  VAD_DEFAULTS,
} from '@x/audio';
import type { ChatContext } from '../chat/chat-context.js';
import { type APIError, ConfigurationError } from '../errors/errors.js';
import type { LLM } from '../llm/llm.js';
import type { LLMMetrics, STTMetrics, TTSMetrics } from '../metrics/types.js';
import type { STT } from '../stt/stt.js';
import type { SpeechEvent, STTEvents } from '../stt/types.js';
import type { LLMEvents } from '../llm/types.js';
import type { TTSEvents } from '../tts/types.js';
import type { TTS } from '../tts/tts.js';
import type { AgentState } from './events.js';
import type { SessionHost, SessionPipeline } from './host.js';
import { ComponentListeners } from './listeners.js';
import type { SpeechHandle } from './speech-handle.js';
import { SpokenReply } from './spoken-reply.js';
import { TurnMetricsCollector } from './turn-metrics.js';
import { UserTurnDetector } from './user-turn.js';

/** Where user speech start/end comes from. */
type SpeechSource = 'vad' | 'stt' | 'transcripts';

/**
 * Cascaded mode: user audio → VAD + STT → end of turn → LLM with tools → TTS by sentence → output.
 * Turn taking lives in `UserTurnDetector`, one speech in `SpokenReply`; this class wires the
 * components to them and to the session.
 */
export class CascadedPipeline implements SessionPipeline {
  readonly #host: SessionHost;
  readonly #stt: STT;
  readonly #llm: LLM;
  readonly #tts: TTS;
  readonly #detector: UserTurnDetector;
  readonly #listeners = new ComponentListeners();
  readonly #speechSource: SpeechSource;
  #vad: EnergyVAD | undefined;
  #vadFailed = false;
  #sttFailed = false;
  #clockMs = 0;
  /** Level above which a frame counts as speech for `minInterruptionSpeechMs`. */
  readonly #thresholdDbfs: number;
  /** The metrics of the speech playing now. */
  #metrics: TurnMetricsCollector | undefined;
  #closed = false;

  constructor(host: SessionHost) {
    const { stt, llm, tts, vad, endOfTurnDelayMs, minInterruptionSpeechMs } = host.options;
    if (!stt || !llm || !tts) throw new Error('cascaded mode needs stt, llm and tts');
    this.#host = host;
    this.#stt = stt;
    this.#llm = llm;
    this.#tts = tts;
    this.#speechSource =
      vad === false
        ? stt.capabilities.speechEvents
          ? 'stt'
          : 'transcripts'
        : vad === undefined && stt.capabilities.speechEvents
          ? 'stt'
          : 'vad';
    if (this.#speechSource === 'vad') checkVadOptions(vad || {});
    this.#thresholdDbfs = (vad ? vad.thresholdDbfs : undefined) ?? VAD_DEFAULTS.thresholdDbfs;
    this.#detector = new UserTurnDetector({
      endOfTurnDelayMs,
      minInterruptionSpeechMs,
      speechFromTranscripts: this.#speechSource === 'transcripts',
      callbacks: {
        userState: (speaking) => host.setUserState(speaking ? 'speaking' : 'listening'),
        transcript: (event) => host.emit('user_transcript', event),
        sustainedSpeech: () => host.bargeIn(),
        endOfTurn: (turn) => host.replyToUserTurn(turn),
      },
    });
  }

  async start(): Promise<void> {
    const host = this.#host;
    const stt = this.#listeners.bind<STTEvents>(this.#stt);
    const llm = this.#listeners.bind<LLMEvents>(this.#llm);
    const tts = this.#listeners.bind<TTSEvents>(this.#tts);
    stt.on('transcript', (event: SpeechEvent) => this.#detector.transcript(event));
    if (this.#speechSource === 'stt') {
      stt.on('speech_started', ({ timeMs }: { timeMs: number }) => this.#detector.speechStarted(timeMs));
      stt.on('speech_ended', ({ timeMs }: { timeMs: number }) => this.#detector.speechEnded(timeMs));
    }
    stt.on('metrics', (metrics: STTMetrics) => {
      this.#detector.sttLatency(metrics.latencyMs);
      host.emit('component_metrics', metrics);
    });
    llm.on('metrics', (metrics: LLMMetrics) => {
      this.#metrics?.llmTtft(metrics.ttftMs);
      this.#metrics?.addUsage(metrics.usage);
      host.emit('component_metrics', metrics);
    });
    tts.on('metrics', (metrics: TTSMetrics) => {
      if (this.#metrics) {
        this.#metrics.ttsTtfb(metrics.ttfbMs);
        this.#metrics.ttsCharacters += metrics.charactersCount;
      }
      host.emit('component_metrics', metrics);
    });
    stt.on('error', (error: APIError) => host.reportError('stt', error, error.retryable));
    llm.on('error', (error: APIError) => host.reportError('llm', error));
    tts.on('error', (error: APIError) => host.reportError('tts', error));
  }

  pushAudio(frame: AudioFrame): void {
    if (this.#closed) return;
    const ms = frameDurationMs(frame);
    this.#clockMs += ms;
    this.#detector.advance(this.#clockMs, dbfs(frame.data) >= this.#thresholdDbfs ? ms : 0);
    if (this.#speechSource === 'vad') this.#runVad(frame);
    if (this.#sttFailed) return;
    try {
      this.#stt.pushAudio(frame);
    } catch (error) {
      // The STT stopped for good (its `error` event already reported why; repeats are dropped).
      this.#sttFailed = true;
      this.#host.reportError('stt', error, false);
    }
  }

  async runSpeech(handle: SpeechHandle): Promise<void> {
    const request = handle.request;
    const turn = request.kind === 'reply' ? request.userTurn : undefined;
    this.#addUserMessage(handle);
    const metrics = new TurnMetricsCollector({
      turnId: handle.id,
      mode: 'cascaded',
      endOfSpeechAt: turn?.endOfSpeechAt ?? null,
      sttLatencyMs: turn?.sttLatencyMs ?? null,
    });
    this.#metrics = metrics;
    try {
      const reply = new SpokenReply(handle, {
        host: this.#host,
        tts: this.#tts,
        llm: this.#llm,
        output: this.#host.options.output,
        history: this.#host.history,
        metrics,
      });
      handle.finish(await reply.run());
    } finally {
      if (this.#metrics === metrics) this.#metrics = undefined;
    }
  }

  skipSpeech(handle: SpeechHandle): void {
    // The user's words still belong in the history even if the reply to them never played.
    this.#addUserMessage(handle);
  }

  idleState(): AgentState {
    return 'listening';
  }

  chatContext(): ChatContext {
    return this.#host.history;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#detector.close();
    this.#listeners.removeAll();
    if (this.#host.options.closeComponents) {
      await Promise.allSettled([this.#stt.close(), this.#llm.close(), this.#tts.close()]);
    }
  }

  #addUserMessage(handle: SpeechHandle): void {
    const request = handle.request;
    if (request.kind !== 'reply') return;
    const text = request.userTurn?.text ?? request.userInput;
    if (text !== undefined && text.trim() !== '') {
      this.#host.history.addMessage({ role: 'user', content: text });
    }
  }

  #runVad(frame: AudioFrame): void {
    if (this.#vadFailed) return;
    try {
      // The VAD runs at the first frame's rate (or 16 kHz if that rate is unusual); its clock
      // starts with the first frame, like the session's.
      this.#vad ??= new EnergyVAD({
        ...(this.#host.options.vad || {}),
        sampleRate: isSupportedSampleRate(frame.sampleRate) ? frame.sampleRate : 16_000,
      });
      const vad = this.#vad;
      const input =
        frame.sampleRate === vad.sampleRate ? frame : resampleFrame(frame, vad.sampleRate, 'fast');
      for (const event of vad.process(input)) {
        if (event.type === 'speech_start') this.#detector.speechStarted(event.timestampMs);
        else this.#detector.speechEnded(event.timestampMs);
      }
    } catch (error) {
      // A frame the VAD cannot take: user speech is then not detected, report it once.
      this.#vadFailed = true;
      this.#host.reportError('session', error, false);
    }
  }
}

/** Bad VAD options fail when the session is made, not on the first audio. */
function checkVadOptions(options: object): void {
  try {
    new EnergyVAD({ ...options, sampleRate: 16_000 });
  } catch (error) {
    throw new ConfigurationError(
      'vad',
      JSON.stringify(options),
      'EnergyVAD options (thresholdDbfs ≤ 0, minSpeechMs, minSilenceMs, frameMs ≥ 0)',
      error instanceof Error ? error.message : undefined,
    );
  }
}
