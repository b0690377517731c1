import { SYNC_A, SYNC_B, SymbolDecoder } from './alphabet.js';
import { BURST_MS, SLOT_MS, checkSampleRate, highToneOf, lowToneOf, symbolOf } from './modem.js';
import { ToneAnalyzer, type WindowReading, emptyReading } from './tone-analyzer.js';

export interface RecognizedWord {
  text: string;
  startMs: number;
  endMs: number;
  /** 0..1: how cleanly the word's weakest symbol was received. */
  confidence: number;
}

export interface RecognizedUtterance {
  text: string;
  words: RecognizedWord[];
  startMs: number;
  endMs: number;
}

/** A stretch of sound that was not the simulator's voice (real speech, noise, music …). */
export interface UnrecognizedSegment {
  startMs: number;
  endMs: number;
}

/** Transcript the simulator gives for sound that is not its voice. */
export const UNRECOGNIZED_SPEECH_MARKER = '[unrecognized speech]';

export interface VoiceRecognizerOptions {
  /** Rate of the pushed mono PCM16 (see `checkSampleRate`). */
  sampleRate: number;
  /**
   * An utterance whose end marker was not heard (cut off) ends after this much time without voice.
   * Default 500.
   */
  utteranceEndSilenceMs?: number;
  /** Level (mean power over 20 ms) above which non-voice sound counts as unrecognised speech. Default −35. */
  unrecognizedThresholdDbfs?: number;
  /** Non-voice sound must last this long to count as unrecognised speech. Default 150. */
  minUnrecognizedMs?: number;
}

/** Least window power that can carry a symbol: −55 dBFS. */
const MIN_SYMBOL_POWER = 32768 ** 2 * 10 ** (-55 / 10);
/** A symbol's two tones must hold at least this share of the window's power. */
const MIN_PURITY = 0.5;
/** Loose share for following the first preamble burst as it passes through the window. */
const MIN_TRACK_PURITY = 0.2;
/** The runner-up tone of each group must be below this fraction of the winner's energy. */
const MAX_RUNNER_UP = 0.2;
/** The two tones' energies may differ by at most this factor (16 = 12 dB). */
const MAX_TWIST = 16;
/** Slots are searched ±this many blocks around their predicted centre. */
const SEARCH_BLOCKS = 2;
/** Samples of silence given to the analyser on flush (in blocks) — enough to settle any decision. */
const FLUSH_BLOCKS = 200;

const SYNC_A_LOW = lowToneOf(SYNC_A);
const SYNC_A_HIGH = highToneOf(SYNC_A);

type State = 'idle' | 'verifying' | 'voice';

interface OpenUtterance {
  words: RecognizedWord[];
  startSample: number;
  endSample: number;
}

/**
 * Streaming decoder of `synthesizeVoice`. Push mono PCM16 in chunks of any size; the results
 * (words, their times, utterances) are the same however the stream is chunked.
 *
 * How it listens: a bank of Goertzel filters reads every 20 ms window at 1 ms steps. While idle it
 * looks for the first preamble symbol (SYNC_A) and takes the middle of the span where that symbol
 * is strongest as the slot clock; the next slot must hold SYNC_B, or the find is dropped. After
 * that every slot is read at its predicted centre (best of ±2 ms). A slot that holds no clean
 * symbol ends the voice segment (the utterance then ends after `utteranceEndSilenceMs` unless more
 * voice follows); END ends the utterance at once. Loud sound that never locks becomes an
 * unrecognised segment.
 */
export class VoiceRecognizer {
  readonly sampleRate: number;
  readonly utteranceEndSilenceMs: number;

  #analyzer: ToneAnalyzer;
  readonly #reading = emptyReading();
  readonly #probe = emptyReading();
  readonly #decoder = new SymbolDecoder();
  readonly #slotSamples: number;
  readonly #burstHalfSamples: number;
  readonly #loudPower: number;
  readonly #minLoudBlocks: number;
  readonly #loudHangoverBlocks: number;
  readonly #maxRunBlocks: number;
  readonly #utteranceEndSamples: number;

  /** Samples pushed in earlier streams (before the last flush); times continue from them. */
  #offsetSamples = 0;
  #streamSamples = 0;
  #state: State = 'idle';
  /** Next window position the idle scan will read. */
  #scanPos = 0;
  // Candidate SYNC_A run.
  #runStart = -1;
  #runEnergies: number[] = [];
  #runBroken = false;
  // Slot clock.
  #slot0Centre = 0;
  #nextSlot = 0;
  // Loud non-voice tracking.
  #loudStart = -1;
  #loudLast = -1;
  #unrecognizedOpen = false;
  #heardUnrecognized = false;
  // Text being assembled.
  #utterance: OpenUtterance | undefined;
  #word = '';
  #wordStartSlot = -1;
  #wordEndSlot = -1;
  #wordConfidence = 1;
  #charStartSlot = -1;
  #charConfidence = 1;
  #lastVoiceEndSample = -1;
  // Results.
  #doneText = '';
  #words: RecognizedWord[] = [];
  #utterances: RecognizedUtterance[] = [];
  #unrecognized: UnrecognizedSegment[] = [];

  constructor(options: VoiceRecognizerOptions) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError('VoiceRecognizer options must be an object with a sampleRate');
    }
    this.sampleRate = checkSampleRate(options.sampleRate, 'sampleRate');
    this.utteranceEndSilenceMs = nonNegative(options.utteranceEndSilenceMs, 500, 'utteranceEndSilenceMs');
    const thresholdDbfs = options.unrecognizedThresholdDbfs ?? -35;
    if (typeof thresholdDbfs !== 'number' || !(thresholdDbfs <= 0 && thresholdDbfs >= -120)) {
      throw new RangeError(
        `unrecognizedThresholdDbfs must be a number from -120 to 0; received ${String(thresholdDbfs)}`,
      );
    }
    const minUnrecognizedMs = nonNegative(options.minUnrecognizedMs, 150, 'minUnrecognizedMs');
    this.#analyzer = new ToneAnalyzer(this.sampleRate, () => this.#advance());
    const blockMs = (this.#analyzer.blockSize * 1000) / this.sampleRate;
    this.#slotSamples = (SLOT_MS * this.sampleRate) / 1000;
    this.#burstHalfSamples = (BURST_MS * this.sampleRate) / 2000;
    this.#loudPower = 32768 ** 2 * 10 ** (thresholdDbfs / 10);
    this.#minLoudBlocks = Math.max(1, Math.round(minUnrecognizedMs / blockMs));
    this.#loudHangoverBlocks = Math.round(100 / blockMs);
    this.#maxRunBlocks = Math.round((2 * SLOT_MS) / blockMs);
    this.#utteranceEndSamples = (this.utteranceEndSilenceMs * this.sampleRate) / 1000;
  }

  /** Mono PCM16 at `sampleRate`, any number of samples. */
  push(samples: Int16Array): void {
    if (!(samples instanceof Int16Array)) throw new TypeError('push() takes an Int16Array of mono PCM16');
    this.#streamSamples += samples.length;
    this.#analyzer.push(samples);
  }

  /**
   * End of stream: decides everything still pending as if silence followed, ends the open word and
   * utterance. Audio pushed afterwards is a new stream whose times continue after the samples
   * pushed so far.
   */
  flush(): void {
    this.#analyzer.padWithSilence(FLUSH_BLOCKS);
    const endSample = this.#streamSamples;
    this.#finishWord();
    this.#closeUtterance();
    if (this.#unrecognizedOpen) this.#closeUnrecognized(Math.min(endSample, this.#windowEnd(this.#loudLast)));
    this.#offsetSamples += this.#streamSamples;
    this.#streamSamples = 0;
    this.#analyzer = new ToneAnalyzer(this.sampleRate, () => this.#advance());
    this.#state = 'idle';
    this.#scanPos = 0;
    this.#resetRun();
    this.#loudStart = -1;
    this.#loudLast = -1;
    this.#decoder.reset();
    this.#lastVoiceEndSample = -1;
  }

  /** All recognised text so far (finished words), utterances joined by a space. */
  get text(): string {
    const partial = this.partialText;
    if (this.#doneText === '') return partial;
    return partial === '' ? this.#doneText : `${this.#doneText} ${partial}`;
  }

  /** Finished words of the utterance in progress. */
  get partialText(): string {
    return this.#utterance ? this.#utterance.words.map((w) => w.text).join(' ') : '';
  }

  /** Inside an utterance (from its preamble until it ends). */
  get speaking(): boolean {
    return this.#utterance !== undefined;
  }

  /** Loud sound that was not the voice has been heard (at any time so far). */
  get heardUnrecognizedSpeech(): boolean {
    return this.#heardUnrecognized;
  }

  /** Words finished since the last call. */
  takeWords(): RecognizedWord[] {
    const words = this.#words;
    this.#words = [];
    return words;
  }

  /** Utterances ended since the last call. */
  takeUtterances(): RecognizedUtterance[] {
    const utterances = this.#utterances;
    this.#utterances = [];
    return utterances;
  }

  /** Finished stretches of unrecognised sound since the last call. */
  takeUnrecognizedSegments(): UnrecognizedSegment[] {
    const segments = this.#unrecognized;
    this.#unrecognized = [];
    return segments;
  }

  // ---- decisions, run after every analysed block ----

  #advance(): void {
    for (;;) {
      if (this.#state === 'idle') {
        if (!this.#scanStep()) return;
      } else if (!this.#slotStep()) return;
    }
  }

  /** Reads one idle window position. Returns false when it needs more blocks. */
  #scanStep(): boolean {
    const a = this.#analyzer;
    const p = this.#scanPos;
    if (p >= a.blockCount) return false;
    this.#scanPos = p + 1;
    const power = a.windowPower(p);
    this.#trackLoudness(p, power);
    this.#checkUtteranceTimeout(p);
    let matches = false;
    let energy = 0;
    if (power >= MIN_SYMBOL_POWER) {
      const r = a.read(p, this.#reading);
      matches = r.bestLow === SYNC_A_LOW && r.bestHigh === SYNC_A_HIGH && r.purity >= MIN_TRACK_PURITY;
      energy = r.lowEnergy + r.highEnergy;
    }
    if (matches) {
      if (this.#runStart < 0) this.#runStart = p;
      this.#runEnergies.push(energy);
      if (this.#runEnergies.length > this.#maxRunBlocks) this.#runBroken = true;
      return true;
    }
    if (this.#runStart >= 0) this.#endRun();
    return true;
  }

  /** The SYNC_A candidate has passed: find its centre and start verifying the slot after it. */
  #endRun(): void {
    const energies = this.#runEnergies;
    const start = this.#runStart;
    const broken = this.#runBroken;
    this.#resetRun();
    if (broken) return;
    let max = 0;
    let maxAt = 0;
    for (let i = 0; i < energies.length; i++) {
      if (energies[i]! > max) {
        max = energies[i]!;
        maxAt = i;
      }
    }
    if (!this.#isCleanSymbolAt(start + maxAt, SYNC_A)) return;
    // The energy profile of a burst passing through the window is symmetric about the burst's
    // centre: take the midpoint of the two half-maximum crossings, interpolated between positions.
    const half = max / 2;
    let first = maxAt;
    let last = maxAt;
    while (first > 0 && energies[first - 1]! >= half) first--;
    while (last < energies.length - 1 && energies[last + 1]! >= half) last++;
    let left = first;
    if (first > 0) left -= (energies[first]! - half) / (energies[first]! - energies[first - 1]!);
    let right = last;
    if (last < energies.length - 1)
      right += (energies[last]! - half) / (energies[last]! - energies[last + 1]!);
    const centrePos = start + (left + right) / 2;
    this.#slot0Centre = this.#windowCentre(centrePos);
    this.#nextSlot = 1;
    this.#state = 'verifying';
  }

  #isCleanSymbolAt(position: number, symbol: number): boolean {
    const r = this.#analyzer.read(position, this.#probe);
    return symbolOfReading(r) === symbol && isClean(r);
  }

  /** Reads the next slot if its blocks are in. Returns false when it needs more blocks. */
  #slotStep(): boolean {
    const a = this.#analyzer;
    const k = this.#nextSlot;
    const centre = this.#slot0Centre + k * this.#slotSamples;
    const predicted = Math.round(centre / a.blockSize + a.windowBlocks / 2 - 1);
    if (predicted + SEARCH_BLOCKS >= a.blockCount) return false;
    let best = -1;
    let bestPos = predicted;
    for (let p = predicted - SEARCH_BLOCKS; p <= predicted + SEARCH_BLOCKS; p++) {
      if (p < 0) continue;
      const r = a.read(p, this.#probe);
      const e = r.lowEnergy + r.highEnergy;
      if (e > best) {
        best = e;
        bestPos = p;
      }
    }
    const r = a.read(Math.max(bestPos, 0), this.#reading);
    const clean = r.power >= MIN_SYMBOL_POWER && isClean(r);
    const symbol = symbolOfReading(r);
    if (this.#state === 'verifying') {
      if (!clean || symbol !== SYNC_B) {
        // Not the voice after all: go on scanning where the scan stopped.
        this.#state = 'idle';
        return true;
      }
      this.#startSegment();
      this.#nextSlot = 2;
      return true;
    }
    if (!clean) {
      this.#endSegment(k - 1, false);
      return true;
    }
    this.#nextSlot = k + 1;
    this.#onSymbol(symbol, k, confidenceOf(r));
    return true;
  }

  #startSegment(): void {
    this.#state = 'voice';
    this.#decoder.reset();
    this.#charStartSlot = -1;
    this.#charConfidence = 1;
    const startSample = this.#slotStart(0);
    if (this.#unrecognizedOpen)
      this.#closeUnrecognized(Math.min(this.#windowEnd(this.#loudLast), startSample));
    this.#loudStart = -1;
    this.#loudLast = -1;
    if (!this.#utterance) this.#utterance = { words: [], startSample, endSample: startSample };
  }

  #onSymbol(symbol: number, slot: number, confidence: number): void {
    const decoded = this.#decoder.push(symbol);
    switch (decoded.kind) {
      case 'pending':
        if (this.#charStartSlot < 0) this.#charStartSlot = slot;
        this.#charConfidence = Math.min(this.#charConfidence, confidence);
        return;
      case 'char': {
        const first = this.#charStartSlot >= 0 ? this.#charStartSlot : slot;
        const charConfidence = Math.min(this.#charConfidence, confidence);
        this.#charStartSlot = -1;
        this.#charConfidence = 1;
        if (this.#word === '') {
          this.#wordStartSlot = first;
          this.#wordConfidence = charConfidence;
        } else this.#wordConfidence = Math.min(this.#wordConfidence, charConfidence);
        this.#word += decoded.char;
        this.#wordEndSlot = slot;
        this.#lastVoiceEndSample = this.#slotEnd(slot);
        return;
      }
      case 'space':
        this.#charStartSlot = -1;
        this.#charConfidence = 1;
        this.#finishWord();
        this.#lastVoiceEndSample = this.#slotEnd(slot);
        return;
      case 'end':
        this.#endSegment(slot, true);
        return;
      default:
        // A symbol that cannot appear here (a stray preamble, a broken escape): the segment is lost.
        this.#endSegment(slot - 1, false);
    }
  }

  /** Ends the voice segment after slot `lastSlot`; `complete` when its END marker was heard. */
  #endSegment(lastSlot: number, complete: boolean): void {
    const a = this.#analyzer;
    this.#finishWord();
    const endSample = this.#slotEnd(Math.max(lastSlot, 1));
    this.#lastVoiceEndSample = endSample;
    if (this.#utterance) this.#utterance.endSample = Math.max(this.#utterance.endSample, endSample);
    if (complete) this.#closeUtterance();
    this.#state = 'idle';
    // Resume scanning with the first window that starts after this segment's last tone.
    this.#scanPos = Math.ceil(endSample / a.blockSize) + a.windowBlocks - 1;
    this.#resetRun();
    this.#loudStart = -1;
    this.#loudLast = -1;
  }

  #finishWord(): void {
    if (this.#word === '' || !this.#utterance) {
      this.#word = '';
      return;
    }
    const word: RecognizedWord = {
      text: this.#word,
      startMs: this.#ms(this.#slotStart(this.#wordStartSlot)),
      endMs: this.#ms(this.#slotEnd(this.#wordEndSlot)),
      confidence: Math.round(this.#wordConfidence * 1000) / 1000,
    };
    this.#word = '';
    this.#wordConfidence = 1;
    this.#utterance.words.push(word);
    this.#utterance.endSample = Math.max(this.#utterance.endSample, this.#slotEnd(this.#wordEndSlot));
    this.#words.push(word);
  }

  #closeUtterance(): void {
    const u = this.#utterance;
    if (!u) return;
    this.#utterance = undefined;
    if (u.words.length === 0) return;
    const text = u.words.map((w) => w.text).join(' ');
    this.#doneText = this.#doneText === '' ? text : `${this.#doneText} ${text}`;
    this.#utterances.push({
      text,
      words: u.words,
      startMs: this.#ms(u.startSample),
      endMs: this.#ms(u.endSample),
    });
  }

  #checkUtteranceTimeout(position: number): void {
    if (!this.#utterance || this.#lastVoiceEndSample < 0) return;
    if (this.#windowEnd(position) - this.#lastVoiceEndSample >= this.#utteranceEndSamples) {
      this.#closeUtterance();
    }
  }

  #trackLoudness(position: number, power: number): void {
    if (power >= this.#loudPower) {
      if (this.#loudStart < 0) this.#loudStart = position;
      this.#loudLast = position;
      if (!this.#unrecognizedOpen && position - this.#loudStart >= this.#minLoudBlocks) {
        this.#unrecognizedOpen = true;
        this.#heardUnrecognized = true;
      }
      return;
    }
    if (this.#loudStart >= 0 && position - this.#loudLast > this.#loudHangoverBlocks) {
      if (this.#unrecognizedOpen) this.#closeUnrecognized(this.#windowEnd(this.#loudLast));
      this.#loudStart = -1;
      this.#loudLast = -1;
    }
  }

  #closeUnrecognized(endSample: number): void {
    if (!this.#unrecognizedOpen) return;
    this.#unrecognizedOpen = false;
    const start = Math.max(0, this.#windowStart(this.#loudStart));
    const end = Math.max(start, Math.min(endSample, this.#streamSamples));
    this.#unrecognized.push({ startMs: this.#ms(start), endMs: this.#ms(end) });
  }

  #resetRun(): void {
    this.#runStart = -1;
    this.#runEnergies = [];
    this.#runBroken = false;
  }

  // ---- time helpers (samples of the current stream) ----

  #windowCentre(position: number): number {
    const a = this.#analyzer;
    return (position + 1 - a.windowBlocks / 2) * a.blockSize;
  }
  #windowStart(position: number): number {
    const a = this.#analyzer;
    return (position + 1 - a.windowBlocks) * a.blockSize;
  }
  #windowEnd(position: number): number {
    return (position + 1) * this.#analyzer.blockSize;
  }
  #slotStart(slot: number): number {
    return Math.max(0, this.#slot0Centre + slot * this.#slotSamples - this.#burstHalfSamples);
  }
  #slotEnd(slot: number): number {
    return this.#slot0Centre + slot * this.#slotSamples + this.#burstHalfSamples;
  }
  #ms(sample: number): number {
    return Math.round(((sample + this.#offsetSamples) * 10000) / this.sampleRate) / 10;
  }
}

function symbolOfReading(r: WindowReading): number {
  return symbolOf(r.bestLow, r.bestHigh);
}

function isClean(r: WindowReading): boolean {
  return (
    r.purity >= MIN_PURITY &&
    r.secondLow <= MAX_RUNNER_UP * r.lowEnergy &&
    r.secondHigh <= MAX_RUNNER_UP * r.highEnergy &&
    r.lowEnergy <= MAX_TWIST * r.highEnergy &&
    r.highEnergy <= MAX_TWIST * r.lowEnergy
  );
}

function confidenceOf(r: WindowReading): number {
  const runnerUp = Math.max(r.secondLow / r.lowEnergy, r.secondHigh / r.highEnergy);
  return Math.max(0, Math.min(1, r.purity) * (1 - runnerUp));
}

function nonNegative(value: number | undefined, fallback: number, option: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`${option} must be a finite number >= 0; received ${String(value)}`);
  }
  return value;
}
