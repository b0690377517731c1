import { type RecognizedWord, UNRECOGNIZED_SPEECH_MARKER, VoiceRecognizer } from '../voice/index.js';

/** A word as xAI sends it: times in seconds. */
export interface WireWord {
  text: string;
  start: number;
  end: number;
  confidence: number;
  speaker?: number;
}

export interface TranscriptResult {
  text: string;
  words: WireWord[];
  isFinal: boolean;
  speechFinal: boolean;
  startMs: number;
  endMs: number;
}

export interface TranscriberOptions {
  sampleRate: number;
  interimResults: boolean;
  endpointingMs: number;
  diarize: boolean;
}

/** Frames quieter than this (mean power over 10 ms) are silence. */
const SILENCE_DBFS = -45;
const SILENCE_POWER = 32768 ** 2 * 10 ** (SILENCE_DBFS / 10);
const INTERIM_EVERY_MS = 500;
const LOCK_AFTER_MS = 3000;
/** Sound that lasts at least this long and yields no word is reported as unrecognised speech. */
const MIN_UNRECOGNIZED_MS = 150;
/** After this much silence the recogniser has surely finished the last word of a cut-off utterance. */
const SETTLE_MS = 60;

const seconds = (ms: number): number => Math.round(ms) / 1000;

/**
 * One channel of an STT stream. Every decision is taken on audio time (sample counts), in fixed
 * 10 ms frames, so results do not depend on how the client chunks its audio or how fast it sends.
 *
 * - interim (`is_final=false`): while an utterance is open, about every 500 ms of audio, with the
 *   words recognised so far in the current segment (only if `interim_results`);
 * - locked (`is_final=true, speech_final=false`): a segment with words reaching 3 s;
 * - final (`is_final=true, speech_final=true`): `endpointing` ms of silence after the sound.
 * Sound that yields no word is `UNRECOGNIZED_SPEECH_MARKER`.
 */
export class ChannelTranscriber {
  private readonly recognizer: VoiceRecognizer;
  private readonly frameSize: number;
  private readonly frame: Int16Array;
  private frameFill = 0;
  private samples = 0;
  private pending: RecognizedWord[] = [];
  // Utterance state (from the first loud frame to the final).
  private inUtterance = false;
  private segmentStartMs = 0;
  private lastSoundEndMs = 0;
  private lastInterimMs = 0;
  private soundMs = 0;
  private wordsInUtterance = 0;
  private locked = false;

  constructor(
    private readonly options: TranscriberOptions,
    private readonly emit: (result: TranscriptResult) => void,
  ) {
    this.recognizer = new VoiceRecognizer({ sampleRate: options.sampleRate });
    this.frameSize = Math.round(options.sampleRate / 100);
    this.frame = new Int16Array(this.frameSize);
  }

  /** Audio received so far, in ms. */
  get durationMs(): number {
    return ((this.samples + this.frameFill) * 1000) / this.options.sampleRate;
  }

  push(samples: Int16Array): void {
    let offset = 0;
    while (offset < samples.length) {
      const n = Math.min(this.frameSize - this.frameFill, samples.length - offset);
      this.frame.set(samples.subarray(offset, offset + n), this.frameFill);
      this.frameFill += n;
      offset += n;
      if (this.frameFill === this.frameSize) {
        this.processFrame(this.frame);
        this.frameFill = 0;
      }
    }
  }

  /** End of audio: what was not finalised yet (`transcript.done`). */
  finish(): { text: string; words: WireWord[]; durationMs: number } {
    if (this.frameFill > 0) {
      this.processFrame(this.frame.subarray(0, this.frameFill));
      this.frameFill = 0;
    }
    this.recognizer.flush();
    this.pending.push(...this.recognizer.takeWords());
    const durationMs = this.durationMs;
    const words = this.pending;
    this.pending = [];
    let text = words.map((w) => w.text).join(' ');
    if (
      text === '' &&
      this.inUtterance &&
      this.wordsInUtterance === 0 &&
      this.soundMs >= MIN_UNRECOGNIZED_MS
    ) {
      text = UNRECOGNIZED_SPEECH_MARKER;
    }
    this.inUtterance = false;
    return { text, words: words.map((w) => this.wire(w)), durationMs };
  }

  private processFrame(frame: Int16Array): void {
    const startMs = (this.samples * 1000) / this.options.sampleRate;
    this.recognizer.push(frame);
    this.samples += frame.length;
    const nowMs = (this.samples * 1000) / this.options.sampleRate;
    this.pending.push(...this.recognizer.takeWords());
    let power = 0;
    for (let i = 0; i < frame.length; i++) power += frame[i]! * frame[i]!;
    const loud = frame.length > 0 && power / frame.length >= SILENCE_POWER;
    if (loud) {
      if (!this.inUtterance) {
        this.inUtterance = true;
        this.segmentStartMs = startMs;
        this.lastInterimMs = startMs;
        this.soundMs = 0;
        this.wordsInUtterance = 0;
        this.locked = false;
      }
      this.lastSoundEndMs = nowMs;
      this.soundMs += nowMs - startMs;
    }
    if (!this.inUtterance) return;

    const lastWord = this.pending[this.pending.length - 1];
    if (this.options.interimResults && lastWord && nowMs - this.lastInterimMs >= INTERIM_EVERY_MS) {
      this.lastInterimMs = nowMs;
      this.send(this.pending, false, false, lastWord.endMs);
    }
    if (lastWord && nowMs - this.segmentStartMs >= LOCK_AFTER_MS) {
      this.send(this.pending, true, false, lastWord.endMs);
      this.wordsInUtterance += this.pending.length;
      this.pending = [];
      this.segmentStartMs = lastWord.endMs;
      this.lastInterimMs = nowMs;
      this.locked = true;
    }
    const silenceMs = nowMs - this.lastSoundEndMs;
    if (
      !loud &&
      silenceMs >= this.options.endpointingMs &&
      (silenceMs >= SETTLE_MS || !this.recognizer.speaking)
    ) {
      this.finalize();
    }
  }

  private finalize(): void {
    const words = this.pending;
    const endMs = Math.max(this.lastSoundEndMs, words[words.length - 1]?.endMs ?? 0);
    this.inUtterance = false;
    this.pending = [];
    if (words.length > 0 || this.locked) {
      this.send(words, true, true, endMs);
    } else if (this.wordsInUtterance === 0 && this.soundMs >= MIN_UNRECOGNIZED_MS) {
      this.emit({
        text: UNRECOGNIZED_SPEECH_MARKER,
        words: [],
        isFinal: true,
        speechFinal: true,
        startMs: this.segmentStartMs,
        endMs,
      });
    }
  }

  private send(words: RecognizedWord[], isFinal: boolean, speechFinal: boolean, endMs: number): void {
    const startMs = Math.min(this.segmentStartMs, words[0]?.startMs ?? this.segmentStartMs);
    this.emit({
      text: words.map((w) => w.text).join(' '),
      words: words.map((w) => this.wire(w)),
      isFinal,
      speechFinal,
      startMs,
      endMs: Math.max(endMs, startMs),
    });
  }

  private wire(word: RecognizedWord): WireWord {
    const out: WireWord = {
      text: word.text,
      start: seconds(word.startMs),
      end: seconds(word.endMs),
      confidence: word.confidence,
    };
    if (this.options.diarize) out.speaker = 0;
    return out;
  }
}

export { seconds };
