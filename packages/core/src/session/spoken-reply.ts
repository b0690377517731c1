import type { AudioOutput, PlayoutResult } from '../audio-io/audio-output.js';
import type { ChatContext } from '../chat/chat-context.js';
import type { LLM } from '../llm/llm.js';
import type { TTS } from '../tts/tts.js';
import { FLUSH, type FlushMarker } from '../tts/types.js';
import type { SessionErrorSource } from './events.js';
import type { SessionHost } from './host.js';
import { heardSentences, joinHeard, type SpokenSentence } from './interruption.js';
import { SentenceSplitter } from './sentence-splitter.js';
import type { SpeechHandle, SpeechResult } from './speech-handle.js';
import { SpeechOutput } from './speech-output.js';
import { AsyncChannel } from './text-channel.js';
import { runToolLoop } from './tool-loop.js';
import type { TurnMetricsCollector } from './turn-metrics.js';

export interface SpokenReplyDeps {
  host: SessionHost;
  tts: TTS;
  /** Needed for replies; `say()` works without. */
  llm: LLM | undefined;
  output: AudioOutput;
  /** Where the reply is recorded; undefined records nothing (realtime mode's `say()`). */
  history: ChatContext | undefined;
  metrics: TurnMetricsCollector;
}

interface Sentence {
  text: string;
  round: number;
}

/**
 * Plays one speech through TTS: a `say()` text, or an LLM reply with its tool loop. Text is cut into
 * sentences and streamed to the TTS as they complete (each sentence is one TTS utterance), so audio
 * starts after the first sentence. On interruption the output stops at once, the LLM request and
 * the TTS are cancelled, and the history records only what the user heard, marked interrupted.
 */
export class SpokenReply {
  readonly #deps: SpokenReplyDeps;
  readonly #handle: SpeechHandle;
  readonly #output: SpeechOutput;
  readonly #channel = new AsyncChannel<string | FlushMarker>();
  readonly #splitter: SentenceSplitter;
  readonly #sentences: Sentence[] = [];
  /** Text of each LLM round (one for `say()`), as written. */
  readonly #roundTexts: string[] = [''];
  /** Per round that called tools: the assistant message the tool loop added for its text. */
  readonly #roundMessageIds: Array<string | null> = [];
  #round = 0;
  #interrupted = false;
  #playedAtInterruptMs = 0;
  /** Stops generation when the TTS fails (the handle's signal covers interruptions). */
  readonly #stop = new AbortController();

  constructor(handle: SpeechHandle, deps: SpokenReplyDeps) {
    this.#handle = handle;
    this.#deps = deps;
    this.#splitter = new SentenceSplitter(deps.host.options.sentenceSplitter);
    this.#output = new SpeechOutput(deps.output, () => {
      deps.metrics.firstAudio();
      deps.host.setAgentState('speaking');
    });
  }

  async run(): Promise<SpeechResult> {
    const handle = this.#handle;
    const { host, tts } = this.#deps;
    handle.start(() => this.#interrupt());
    const request = handle.request;
    if (request.kind === 'reply') host.setAgentState('thinking');

    let failure: { error: unknown; source: SessionErrorSource } | undefined;
    const fail = (error: unknown, source: SessionErrorSource) => {
      if (this.#interrupted || failure) return;
      failure = { error, source };
      this.#stop.abort(error); // e.g. the TTS failed: stop the LLM too
    };
    const synthesis = tts
      .synthesize(this.#channel, { output: this.#output })
      .catch((error: unknown) => fail(error, 'tts'));
    try {
      if (request.kind === 'say') {
        this.#roundTexts[0] = request.text;
        this.#speak(this.#splitter.push(request.text));
      } else {
        await this.#generate(request.instructions);
      }
      this.#speak(this.#splitter.flush());
    } catch (error) {
      if (!this.#stop.signal.aborted) fail(error, request.kind === 'say' ? 'tts' : 'llm');
    }
    this.#channel.end();
    await synthesis;
    // Reported once even if the component already emitted it (the session drops repeats).
    if (failure) host.reportError(failure.source, failure.error);
    if (!this.#interrupted) {
      const playout = await this.#playOut();
      if (playout.interrupted && !this.#interrupted) {
        this.#interrupted = true;
        this.#playedAtInterruptMs = playout.playedMs;
      }
    }
    return this.#finish(failure?.error);
  }

  /** The LLM reply with its tool loop. */
  async #generate(instructions: string | undefined): Promise<void> {
    const { host, llm, history } = this.#deps;
    if (!llm || !history) throw new Error('a reply needs an LLM and a chat history');
    return runToolLoop({
      llm,
      agent: host.agent,
      chatContext: history,
      ...(instructions !== undefined ? { instructions } : {}),
      maxToolRounds: host.options.maxToolRounds,
      signal: AbortSignal.any([this.#handle.signal, this.#stop.signal]),
      onText: (delta) => {
        this.#roundTexts[this.#round] += delta;
        this.#speak(this.#splitter.push(delta));
      },
      onToolRound: (messageId) => {
        this.#speak(this.#splitter.flush());
        this.#roundMessageIds.push(messageId);
        this.#round++;
        this.#roundTexts.push('');
      },
      onFunctionExecuted: (event) => host.emit('function_executed', event),
      onWarning: (error) => host.reportError('llm', error),
    });
  }

  /** Hands sentences to the TTS, each as its own utterance. */
  #speak(sentences: readonly string[]): void {
    if (this.#interrupted) return;
    for (const text of sentences) {
      this.#sentences.push({ text, round: this.#round });
      this.#channel.push(text);
      this.#channel.push(FLUSH);
      this.#deps.host.emit('agent_transcript', {
        text: this.#sentences.map((s) => s.text).join(' '),
        final: false,
        interrupted: false,
        speechId: this.#handle.id,
      });
    }
  }

  /** Barge-in or `interrupt()`: the handle's signal already aborted the LLM request and tools. */
  #interrupt(): void {
    if (this.#interrupted) return;
    this.#interrupted = true;
    this.#playedAtInterruptMs = this.#output.playedMs;
    this.#output.interrupt();
    this.#deps.tts.interrupt();
    this.#channel.close();
    this.#stop.abort(this.#handle.signal.reason);
  }

  /** Lets the output play the speech out, bounded by its remaining audio plus a grace period. */
  async #playOut(): Promise<PlayoutResult> {
    const output = this.#output;
    if (output.pushedMs === 0) return { playedMs: 0, interrupted: false };
    output.finish();
    const limitMs = Math.max(0, output.pushedMs - output.playedMs) + this.#deps.host.options.playoutGraceMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<PlayoutResult>((resolve) => {
      timer = setTimeout(() => {
        this.#deps.host.reportError(
          'session',
          new Error(`the audio output did not report the end of playout within ${Math.round(limitMs)} ms`),
        );
        resolve({ playedMs: output.pushedMs, interrupted: false });
      }, limitMs);
    });
    try {
      return await Promise.race([output.waitForPlayout(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  #finish(failure: unknown): SpeechResult {
    const { host, history, metrics } = this.#deps;
    const handle = this.#handle;
    const interrupted = this.#interrupted;
    const sentenceMs = this.#output.sentenceAudioMs;
    const complete = this.#output.finishedSentences;
    const spoken: SpokenSentence[] = this.#sentences.map((s, i) => ({
      text: s.text,
      audioMs: sentenceMs[i] ?? 0,
      complete: i < complete,
    }));
    const heard = interrupted
      ? heardSentences(spoken, this.#playedAtInterruptMs)
      : this.#sentences.map((s) => s.text);
    const inRound = (texts: readonly string[], round: number) =>
      joinHeard(texts.filter((_, i) => this.#sentences[i]?.round === round));
    const spokenText = this.#sentences.map((s) => s.text);

    const request = handle.request;
    if (history && (request.kind === 'reply' || request.addToChatContext)) {
      if (interrupted) {
        // Rounds that called tools already added their text: cut it to what was heard.
        this.#roundMessageIds.forEach((messageId, round) => {
          if (messageId === null) return;
          const text = inRound(heard, round);
          if (text === inRound(spokenText, round)) return;
          if (text === '') history.removeItem(messageId);
          else history.markInterrupted(messageId, text);
        });
      }
      // The last round's text (or the said text) is added here: as written when all of it was
      // spoken, otherwise what was spoken (a failure) or heard (an interruption).
      const last = this.#round;
      const text =
        interrupted || failure !== undefined ? inRound(heard, last) : (this.#roundTexts[last] ?? '').trim();
      if (text !== '') history.addMessage({ role: 'assistant', content: text, interrupted });
    }

    const fullText = joinHeard(heard);
    host.emit('agent_transcript', { text: fullText, final: true, interrupted, speechId: handle.id });
    metrics.interrupted = interrupted;
    host.emit('metrics', metrics.build());
    const error =
      failure === undefined ? undefined : failure instanceof Error ? failure : new Error(String(failure));
    return { interrupted, text: fullText, ...(error ? { error } : {}) };
  }
}
