import { END, SYNC_A, SYNC_B, encodeText, normalizeVoiceText, symbolsForChar } from './alphabet.js';
import {
  ALL_TONES_HZ,
  BURST_MS,
  DEFAULT_AMPLITUDE,
  GAP_MS,
  HIGH_TONES_HZ,
  RAMP_MS,
  SLOT_MS,
  checkSampleRate,
  highToneOf,
  lowToneOf,
} from './modem.js';

export interface SynthesizeVoiceOptions {
  /** Peak level, 0 < amplitude ≤ 1 of full scale. Default −12 dBFS (≈ 0.251). */
  amplitude?: number;
}

/** Where each word of `text` sits in the audio `synthesizeVoice(text, …)` makes. */
export interface VoiceTimeline {
  /** The text as it will be recognised (see `normalizeVoiceText`). */
  text: string;
  durationMs: number;
  words: Array<{ text: string; startMs: number; endMs: number }>;
}

const PREAMBLE_SLOTS = 2;

/** Symbols of a whole utterance: preamble, text, end marker; none for empty text. */
export function utteranceSymbols(text: string): number[] {
  const normalized = normalizeVoiceText(text);
  if (normalized.length === 0) return [];
  return [SYNC_A, SYNC_B, ...encodeText(normalized), END];
}

/** Length of `synthesizeVoice(text, rate)` in ms (the sample count rounds it to the rate). */
export function voiceDurationMs(text: string): number {
  const normalized = normalizeVoiceText(text);
  if (normalized.length === 0) return 0;
  let slots = PREAMBLE_SLOTS + 1;
  for (let i = 0; i < normalized.length; i++) slots += symbolsForChar(normalized[i]!);
  return slots * SLOT_MS;
}

/** Word boundaries of the synthesised audio: a word spans its symbols' tone bursts. */
export function voiceTimeline(text: string): VoiceTimeline {
  const normalized = normalizeVoiceText(text);
  const words: VoiceTimeline['words'] = [];
  if (normalized.length === 0) return { text: '', durationMs: 0, words };
  let slot = PREAMBLE_SLOTS;
  let wordStart = -1;
  let wordText = '';
  const finish = (): void => {
    if (wordStart < 0) return;
    words.push({ text: wordText, startMs: wordStart * SLOT_MS + GAP_MS, endMs: slot * SLOT_MS - GAP_MS });
    wordStart = -1;
    wordText = '';
  };
  for (let i = 0; i < normalized.length; i++) {
    const ch = normalized[i]!;
    if (ch === ' ') {
      finish();
      slot += 1;
      continue;
    }
    if (wordStart < 0) wordStart = slot;
    wordText += ch;
    slot += symbolsForChar(ch);
  }
  finish();
  return { text: normalized, durationMs: (slot + 1) * SLOT_MS, words };
}

interface ToneBank {
  /** Samples per burst. */
  burstLength: number;
  /** tones[i] = enveloped unit-amplitude burst of tone i (ALL_TONES_HZ order). */
  tones: Float32Array[];
}

const toneBanks = new Map<number, ToneBank>();

function toneBank(sampleRate: number): ToneBank {
  const cached = toneBanks.get(sampleRate);
  if (cached) return cached;
  const burstLength = Math.round((BURST_MS * sampleRate) / 1000);
  const rampLength = Math.max(1, Math.round((RAMP_MS * sampleRate) / 1000));
  const envelope = new Float32Array(burstLength);
  for (let i = 0; i < burstLength; i++) {
    const edge = Math.min(i + 0.5, burstLength - i - 0.5);
    envelope[i] = edge >= rampLength ? 1 : 0.5 - 0.5 * Math.cos((Math.PI * edge) / rampLength);
  }
  const tones = ALL_TONES_HZ.map((hz) => {
    const tone = new Float32Array(burstLength);
    const step = (2 * Math.PI * hz) / sampleRate;
    for (let i = 0; i < burstLength; i++) tone[i] = envelope[i]! * Math.sin(step * i);
    return tone;
  });
  const bank = { burstLength, tones };
  toneBanks.set(sampleRate, bank);
  return bank;
}

/**
 * Speaks `text` as tones: mono PCM16 at `sampleRate` that `VoiceRecognizer` turns back into the
 * same text (after `normalizeVoiceText`). Empty or white-space-only text gives no samples.
 */
export function synthesizeVoice(
  text: string,
  sampleRate: number,
  options: SynthesizeVoiceOptions = {},
): Int16Array {
  checkSampleRate(sampleRate);
  const amplitude = options.amplitude ?? DEFAULT_AMPLITUDE;
  if (typeof amplitude !== 'number' || !(amplitude > 0 && amplitude <= 1)) {
    throw new RangeError(`amplitude must be a number with 0 < amplitude <= 1; received ${String(amplitude)}`);
  }
  const symbols = utteranceSymbols(text);
  const total = Math.round((symbols.length * SLOT_MS * sampleRate) / 1000);
  const out = new Int16Array(total);
  if (symbols.length === 0) return out;
  const { burstLength, tones } = toneBank(sampleRate);
  const scale = (amplitude * 32767) / 2;
  const lowCount = ALL_TONES_HZ.length - HIGH_TONES_HZ.length;
  for (let k = 0; k < symbols.length; k++) {
    const symbol = symbols[k]!;
    const low = tones[lowToneOf(symbol)]!;
    const high = tones[lowCount + highToneOf(symbol)]!;
    const start = Math.round(((k * SLOT_MS + GAP_MS) * sampleRate) / 1000);
    const n = Math.min(burstLength, total - start);
    for (let i = 0; i < n; i++) out[start + i] = Math.round(scale * (low[i]! + high[i]!));
  }
  return out;
}
