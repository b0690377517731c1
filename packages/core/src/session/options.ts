import type { VADOptions } from '@x/audio';
import type { AudioOutput } from '../audio-io/audio-output.js';
import { ChatContext } from '../chat/chat-context.js';
import { inRange } from '../config/validate.js';
import { ConfigurationError } from '../errors/errors.js';
import type { LLM } from '../llm/llm.js';
import type { RealtimeModel } from '../realtime/realtime-model.js';
import type { STT } from '../stt/stt.js';
import type { TTS } from '../tts/tts.js';
import type { SentenceSplitterOptions } from './sentence-splitter.js';

/** EnergyVAD options; the sample rate is taken from the audio. */
export type SessionVADOptions = Omit<VADOptions, 'sampleRate'>;

export interface AgentSessionOptions {
  /** Cascaded mode: speech-to-text. Give `stt`, `llm` and `tts` together, or `realtime`. */
  stt?: STT;
  /** Cascaded mode: the chat model (its tool loop runs in the session). */
  llm?: LLM;
  /** Cascaded mode: text-to-speech. In realtime mode, optional: it speaks `say()` text. */
  tts?: TTS;
  /**
   * Cascaded mode: how user speech is detected. Options for `@x/audio`'s `EnergyVAD`, or `false`
   * to rely on the STT alone. Default: the STT's own speech events when it has them
   * (`stt.capabilities.speechEvents`), otherwise an `EnergyVAD` with its defaults.
   */
  vad?: SessionVADOptions | false;
  /** Realtime mode: a speech-to-speech model; replaces `stt`, `llm` and `tts`. */
  realtime?: RealtimeModel;
  /** Where agent audio goes (in realtime mode it becomes the model's output). */
  output: AudioOutput;
  /** History to start from (cascaded mode). Default: empty. */
  chatContext?: ChatContext;
  /**
   * Whether user speech cuts the agent off (default true; `say()` can override it per speech). In
   * realtime mode the model's server VAD cuts its own replies, so only `true` is accepted there.
   */
  allowInterruptions?: boolean;
  /**
   * User speech must last this long before it interrupts the agent, so a cough or a short
   * "mm-hm" does not (default 300 ms). Cascaded mode, and `say()` audio in realtime mode is cut
   * at the model's first speech event.
   */
  minInterruptionSpeechMs?: number;
  /**
   * Silence, counted from the end of the user's speech, before the session answers (default
   * 200 ms; cascaded mode). It also needs the final transcript: when the STT takes longer than
   * this to finalise, the session answers as soon as the transcript arrives.
   */
  endOfTurnDelayMs?: number;
  /** Most LLM rounds that may call tools in one reply; the next round must answer (default 5). */
  maxToolRounds?: number;
  /**
   * Whether `close()` also closes the components given here (`stt`, `llm`, `tts`, `realtime`).
   * Default true: the session owns them. The `output` is never closed.
   */
  closeComponents?: boolean;
  /** How replies are cut into sentences for speech synthesis. */
  sentenceSplitter?: SentenceSplitterOptions;
  /**
   * Longest wait, beyond the length of the audio still to play, for the output to report a
   * speech played out (default 5000 ms).
   */
  playoutGraceMs?: number;
}

export type SessionMode = 'cascaded' | 'realtime';

export interface ResolvedSessionOptions {
  mode: SessionMode;
  stt: STT | undefined;
  llm: LLM | undefined;
  tts: TTS | undefined;
  vad: SessionVADOptions | false | undefined;
  realtime: RealtimeModel | undefined;
  output: AudioOutput;
  chatContext: ChatContext;
  allowInterruptions: boolean;
  minInterruptionSpeechMs: number;
  endOfTurnDelayMs: number;
  maxToolRounds: number;
  closeComponents: boolean;
  sentenceSplitter: SentenceSplitterOptions;
  playoutGraceMs: number;
}

/** Checks the options and fills in defaults; throws `ConfigurationError` naming the bad option. */
export function resolveSessionOptions(options: AgentSessionOptions): ResolvedSessionOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError('options', options, 'an options object');
  }
  const { stt, llm, tts, realtime, output } = options;
  // Shapes, not `instanceof`: an app may hold the ESM and the CJS copy of @x/core at once.
  if (stt !== undefined && !hasMethods(stt, ['pushAudio', 'flush', 'close', 'on'])) {
    throw new ConfigurationError('stt', stt, 'an STT');
  }
  if (llm !== undefined && !hasMethods(llm, ['chat', 'cancelCurrentGeneration', 'close', 'on'])) {
    throw new ConfigurationError('llm', llm, 'an LLM');
  }
  if (tts !== undefined && !hasMethods(tts, ['synthesize', 'interrupt', 'close', 'on'])) {
    throw new ConfigurationError('tts', tts, 'a TTS');
  }
  if (
    realtime !== undefined &&
    !hasMethods(realtime, ['connect', 'pushAudio', 'createResponse', 'setAgent', 'interrupt', 'close', 'on'])
  ) {
    throw new ConfigurationError('realtime', realtime, 'a RealtimeModel');
  }
  let mode: SessionMode;
  if (realtime) {
    if (stt || llm) {
      const given = stt ? 'stt' : 'llm';
      throw new ConfigurationError(
        given,
        'given together with realtime',
        'either stt + llm + tts (cascaded) or realtime (a tts may be added for say())',
      );
    }
    mode = 'realtime';
  } else {
    const missing = (['stt', 'llm', 'tts'] as const).filter((name) => options[name] === undefined);
    if (missing.length > 0) {
      throw new ConfigurationError(
        missing.join(', '),
        undefined,
        'stt, llm and tts together (cascaded mode), or a realtime model',
      );
    }
    mode = 'cascaded';
  }
  if (!hasMethods(output, ['push', 'flush', 'interrupt', 'waitForPlayout'])) {
    throw new ConfigurationError('output', output, 'an AudioOutput (e.g. MemoryAudioOutput)');
  }
  const vad = options.vad;
  if (vad !== undefined && vad !== false && (typeof vad !== 'object' || vad === null)) {
    throw new ConfigurationError('vad', vad, 'EnergyVAD options (without sampleRate) or false');
  }
  if (options.chatContext !== undefined && !hasMethods(options.chatContext, ['addMessage', 'copy'])) {
    throw new ConfigurationError('chatContext', options.chatContext, 'a ChatContext');
  }
  const allowInterruptions = bool('allowInterruptions', options.allowInterruptions, true);
  if (mode === 'realtime' && !allowInterruptions) {
    throw new ConfigurationError(
      'allowInterruptions',
      false,
      'true in realtime mode',
      "The realtime model's server VAD cuts its replies itself; per-say() overrides still apply",
    );
  }
  return {
    mode,
    stt,
    llm,
    tts,
    vad,
    realtime,
    output,
    chatContext: options.chatContext ?? ChatContext.empty(),
    allowInterruptions,
    minInterruptionSpeechMs: inRange(
      'minInterruptionSpeechMs',
      options.minInterruptionSpeechMs ?? 300,
      0,
      10_000,
    ),
    endOfTurnDelayMs: inRange('endOfTurnDelayMs', options.endOfTurnDelayMs ?? 200, 0, 10_000),
    maxToolRounds: inRange('maxToolRounds', options.maxToolRounds ?? 5, 0, 100, { integer: true }),
    closeComponents: bool('closeComponents', options.closeComponents, true),
    sentenceSplitter: options.sentenceSplitter ?? {},
    playoutGraceMs: inRange('playoutGraceMs', options.playoutGraceMs ?? 5000, 0, 600_000),
  };
}

function hasMethods(value: unknown, methods: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return methods.every((method) => typeof record[method] === 'function');
}

function bool(option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ConfigurationError(option, value, 'true or false');
  return value;
}
