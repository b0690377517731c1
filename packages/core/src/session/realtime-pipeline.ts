import type { AudioFrame } from '@x/audio';
import type { ChatContext } from '../chat/chat-context.js';
import type { APIError } from '../errors/errors.js';
import type { RealtimeMetrics, TTSMetrics } from '../metrics/types.js';
import type { TTSEvents } from '../tts/types.js';
import type {
  RealtimeAgentSpeechEndedEvent,
  RealtimeEvents,
  RealtimeAgentSpeechStartedEvent,
  RealtimeReconnectedEvent,
  RealtimeFunctionExecutedEvent,
  RealtimeTranscription,
  RealtimeUserSpeechEndedEvent,
} from '../realtime/events.js';
import type { RealtimeModel } from '../realtime/realtime-model.js';
import type { AgentState } from './events.js';
import type { SessionHost, SessionPipeline } from './host.js';
import { ComponentListeners } from './listeners.js';
import type { SpeechHandle, SpeechResult } from './speech-handle.js';
import { SpokenReply } from './spoken-reply.js';
import { TurnMetricsCollector } from './turn-metrics.js';

/** A `generateReply()` waiting for the model's reply (and its tool follow-ups) to finish. */
interface ReplyWaiter {
  resolve(result: SpeechResult): void;
  /** Final assistant text per item (a cut reply's text is replaced by what was heard). */
  texts: Map<string, string>;
}

/**
 * Realtime mode: user audio → RealtimeModel → output. The model does turn detection, barge-in,
 * the tool loop and truncation itself; this class turns its events into the session's (states,
 * transcripts, `function_executed`, one `TurnMetrics` per agent turn) and runs queued speeches:
 * `generateReply()` asks the model for a reply, `say()` speaks through the optional TTS.
 */
export class RealtimePipeline implements SessionPipeline {
  readonly #host: SessionHost;
  readonly #model: RealtimeModel;
  readonly #listeners = new ComponentListeners();
  /** The turn being answered (from the end of user speech or a reply request). */
  #turn: TurnMetricsCollector | undefined;
  /** Usage of replies that only called tools; the follow-up reply's record carries it. */
  #toolsSinceMetrics = 0;
  /** Longest text seen per assistant item of the current turn (what the model spoke). */
  readonly #spokenChars = new Map<string, number>();
  #waiter: ReplyWaiter | undefined;
  /** Set while the session reacts to the model's own barge-in (the model already cut its reply). */
  #modelCutItself = false;
  /** Metrics collector of a `say()` in progress (TTS metrics go there). */
  #sayMetrics: TurnMetricsCollector | undefined;
  #turnIds = 0;
  #modelSpeaking = false;
  #closed = false;
  /**
   * A dropped connection cut the current turn's reply (its metrics came): the turn stays open for
   * the reply the model asks for again once reconnected.
   */
  #awaitingResume = false;
  /** A reconnect since the current turn began asked for its cut reply again. */
  #resumed = false;
  /** The current turn's last assistant item with interim text and no final yet: key and speech id. */
  #openItem: { key: string; speechId: string } | undefined;
  /** Speech id the next new assistant item takes (the cut one it continues), once resumed. */
  #resumeInto: string | undefined;
  /** Assistant items shown under another item's speech id (a resumed reply under the cut one's). */
  readonly #aliases = new Map<string, string>();

  constructor(host: SessionHost) {
    const { realtime } = host.options;
    if (!realtime) throw new Error('realtime mode needs a realtime model');
    this.#host = host;
    this.#model = realtime;
  }

  async start(): Promise<void> {
    const host = this.#host;
    const model = this.#model;
    const m = this.#listeners.bind<RealtimeEvents>(model);
    model.output = host.options.output;
    model.setAgent(host.agent);
    m.on('user_speech_started', () => {
      host.setUserState('speaking');
      // The model has already stopped its own reply; cut our speeches without cancelling it again.
      this.#modelCutItself = true;
      try {
        host.bargeIn();
      } finally {
        this.#modelCutItself = false;
      }
    });
    m.on('user_speech_ended', (event: RealtimeUserSpeechEndedEvent) => {
      host.setUserState('listening');
      // The user stopped talking when they pushed the end of their speech, not when the server's
      // VAD (after its silence wait) said so.
      this.#beginTurn(event.endedAtMs);
      host.setAgentState('thinking');
    });
    m.on('agent_speech_started', (_event: RealtimeAgentSpeechStartedEvent) => {
      this.#currentTurn().firstAudio();
      this.#modelSpeaking = true;
      host.setAgentState('speaking');
    });
    m.on('agent_speech_ended', (event: RealtimeAgentSpeechEndedEvent) => {
      this.#modelSpeaking = false;
      if (host.currentSpeech && host.currentSpeech.kind !== 'reply') return;
      // Cut by a dropped connection: the model reconnects and asks for the reply again.
      host.setAgentState(event.reason === 'connection_lost' ? 'thinking' : 'listening');
    });
    m.on('reconnected', (event: RealtimeReconnectedEvent) => this.#onReconnected(event));
    m.on('transcription', (event: RealtimeTranscription) => this.#onTranscription(event));
    m.on('function_executed', (event: RealtimeFunctionExecutedEvent) => {
      this.#toolsSinceMetrics++;
      host.emit('function_executed', { ...event });
    });
    m.on('metrics', (metrics: RealtimeMetrics) => this.#onModelMetrics(metrics));
    m.on('error', (error: APIError) => {
      host.reportError('realtime', error, error.retryable);
      // The model gave up (e.g. reconnecting failed): a reply being waited for will not come.
      if (model.connectionState !== 'closed') return;
      this.#settle({ interrupted: false, error });
      if (this.#awaitingResume && this.#turn) this.#closeTurn(this.#turn, true);
    });
    const tts = host.options.tts;
    if (tts) {
      const t = this.#listeners.bind<TTSEvents>(tts);
      t.on('metrics', (metrics: TTSMetrics) => {
        if (this.#sayMetrics) {
          this.#sayMetrics.ttsTtfb(metrics.ttfbMs);
          this.#sayMetrics.ttsCharacters += metrics.charactersCount;
        }
        host.emit('component_metrics', metrics);
      });
      t.on('error', (error: APIError) => host.reportError('tts', error));
    }
    await model.connect();
  }

  pushAudio(frame: AudioFrame): void {
    if (!this.#closed) this.#model.pushAudio(frame);
  }

  async runSpeech(handle: SpeechHandle): Promise<void> {
    const request = handle.request;
    if (request.kind === 'say') {
      await this.#say(handle);
      return;
    }
    const result = new Promise<SpeechResult>((resolve) => {
      this.#waiter = { resolve, texts: new Map() };
    });
    handle.start(() => {
      if (this.#modelCutItself) {
        // The model cuts its reply right after announcing the user's speech; let it report what
        // was heard first.
        queueMicrotask(() => this.#settle({ interrupted: true }));
        return;
      }
      this.#model.interrupt();
      this.#settle({ interrupted: true });
    });
    if (this.#model.connectionState === 'closed') {
      this.#settle({ interrupted: false, error: new Error('the realtime model is closed') });
    } else {
      this.#host.setAgentState('thinking');
      this.#beginTurn();
      if (request.userInput !== undefined && request.userInput.trim() !== '') {
        this.#model.sendText(request.userInput);
      } else {
        this.#model.createResponse();
      }
    }
    handle.finish(await result);
  }

  skipSpeech(_handle: SpeechHandle): void {}

  idleState(): AgentState {
    return this.#modelSpeaking ? 'speaking' : 'listening';
  }

  chatContext(): ChatContext {
    return this.#model.chatContext();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.removeAll();
    this.#settle({ interrupted: true });
    if (this.#host.options.closeComponents) {
      await Promise.allSettled([this.#model.close(), this.#host.options.tts?.close()]);
    }
  }

  async #say(handle: SpeechHandle): Promise<void> {
    const tts = this.#host.options.tts;
    if (!tts) throw new Error('say() in realtime mode needs a tts');
    const metrics = new TurnMetricsCollector({ turnId: handle.id, mode: 'realtime' });
    this.#sayMetrics = metrics;
    try {
      const reply = new SpokenReply(handle, {
        host: this.#host,
        tts,
        llm: undefined,
        output: this.#host.options.output,
        history: undefined,
        metrics,
      });
      handle.finish(await reply.run());
    } finally {
      this.#sayMetrics = undefined;
    }
  }

  #settle(result: { interrupted: boolean; error?: Error }): void {
    const waiter = this.#waiter;
    if (!waiter) return;
    this.#waiter = undefined;
    const text = [...waiter.texts.values()].filter((t) => t.trim() !== '').join(' ');
    waiter.resolve({ ...result, text });
  }

  #newTurn(endOfSpeechAt: number | null): TurnMetricsCollector {
    return new TurnMetricsCollector({ turnId: `turn_${++this.#turnIds}`, mode: 'realtime', endOfSpeechAt });
  }

  /** The turn being answered (one starts on the fly for a reply the model made on its own). */
  #currentTurn(): TurnMetricsCollector {
    this.#turn ??= this.#newTurn(null);
    return this.#turn;
  }

  /** A user turn ended (at `endedAt`) or a reply was requested (now): the next reply is measured from then. */
  #beginTurn(endedAt = performance.now()): void {
    // A turn still waiting for its cut reply to be asked for again is over: the user moved on.
    if (this.#awaitingResume && this.#turn) this.#closeTurn(this.#turn, true, false);
    this.#turn = this.#newTurn(endedAt);
    this.#toolsSinceMetrics = 0;
    this.#spokenChars.clear();
    this.#resetTurnState();
  }

  #resetTurnState(): void {
    this.#awaitingResume = false;
    this.#resumed = false;
    this.#openItem = undefined;
    this.#resumeInto = undefined;
    this.#aliases.clear();
  }

  /**
   * The model is connected again. If it asked for the reply the drop cut, that reply continues the
   * current turn (its transcript under the cut reply's speech id); if not, a turn waiting for it
   * ends here, cut.
   */
  #onReconnected(event: RealtimeReconnectedEvent): void {
    if (event.resumedReply) {
      this.#resumed = true;
      this.#resumeInto = this.#openItem?.speechId;
      return;
    }
    if (this.#awaitingResume) this.#closeTurn(this.#currentTurn(), true);
  }

  /** The speech id of an assistant transcript: its item's, or the cut item's it continues. */
  #speechIdOf(event: RealtimeTranscription): string {
    const own = event.itemId ?? this.#host.currentSpeech?.id ?? 'realtime';
    const key = event.itemId ?? '';
    const alias = this.#aliases.get(key);
    if (alias !== undefined) return alias;
    if (this.#resumeInto !== undefined && key !== this.#openItem?.key) {
      const speechId = this.#resumeInto;
      this.#resumeInto = undefined;
      this.#aliases.set(key, speechId);
      return speechId;
    }
    return own;
  }

  #onTranscription(event: RealtimeTranscription): void {
    const host = this.#host;
    if (event.role === 'user') {
      host.emit('user_transcript', { text: event.text, final: event.final });
      return;
    }
    const key = event.itemId ?? '';
    const speechId = this.#speechIdOf(event);
    const longest = this.#spokenChars.get(key) ?? 0;
    this.#spokenChars.set(key, Math.max(longest, event.text.length));
    if (!event.final) this.#openItem = { key, speechId };
    else if (this.#openItem?.key === key) this.#openItem = undefined;
    // The model marks a reply cut by barge-in in its history before it reports the cut text (a
    // reply cut before any word was heard has no history entry, but its text got shorter).
    const entry = this.#model.history.find((e) => e.type === 'message' && e.itemId === event.itemId);
    const interrupted =
      event.final && (entry?.type === 'message' ? entry.interrupted : event.text.trim().length < longest);
    if (event.final) this.#waiter?.texts.set(key, event.text.trim());
    host.emit('agent_transcript', {
      text: event.text,
      final: event.final,
      interrupted,
      speechId,
    });
  }

  /** One record per reply from the model; replies that only called tools join the next one's. */
  #onModelMetrics(metrics: RealtimeMetrics): void {
    const host = this.#host;
    host.emit('component_metrics', metrics);
    const turn = this.#currentTurn();
    turn.addUsage(metrics.usage);
    const calledTools = this.#toolsSinceMetrics > 0;
    const toolsOnly = calledTools && !metrics.interrupted && metrics.ttfbMs === null;
    const lost = metrics.interruptionReason === 'connection_lost';
    this.#toolsSinceMetrics = 0;
    // The follow-up reply ends the turn (the model asks for it after a drop too).
    if (toolsOnly || (lost && calledTools)) return;
    if (turn.firstAudioAt === null && metrics.ttfbMs !== null && turn.endOfSpeechAt !== null) {
      turn.firstAudio(turn.endOfSpeechAt + metrics.ttfbMs);
    }
    if (lost && (this.#resumed || this.#model.connectionState === 'reconnecting')) {
      // Cut by a dropped connection: the reply asked for again continues this turn (and its record).
      this.#awaitingResume = true;
      return;
    }
    this.#closeTurn(turn, metrics.interrupted);
  }

  /** Emits the turn's record and (with `settle`) settles a `generateReply()` waiting for it. */
  #closeTurn(turn: TurnMetricsCollector, interrupted: boolean, settle = true): void {
    const host = this.#host;
    // A reply cut by a drop and not asked for again gets the final transcript it never had: what was heard.
    const open = this.#openItem;
    if (this.#awaitingResume && open) {
      const entry = this.#model.history.find((e) => e.type === 'message' && (e.itemId ?? '') === open.key);
      const text = entry?.type === 'message' ? entry.text : '';
      if (settle) this.#waiter?.texts.set(open.key, text.trim());
      host.emit('agent_transcript', { text, final: true, interrupted: true, speechId: open.speechId });
    }
    turn.interrupted = interrupted;
    turn.ttsCharacters = [...this.#spokenChars.values()].reduce((sum, n) => sum + n, 0);
    this.#turn = undefined;
    this.#spokenChars.clear();
    this.#resetTurnState();
    host.emit('metrics', turn.build());
    if (!settle) return;
    if (!host.currentSpeech || host.currentSpeech.kind === 'reply') host.setAgentState('listening');
    this.#settle({ interrupted });
  }
}
