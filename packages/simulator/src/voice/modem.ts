/**
 * The simulator's voice is an MFSK modem, not speech. Every symbol is a DTMF-like pair of tones,
 * one from a low group and one from a high group (8 × 8 = 64 symbols), sent in a fixed time slot:
 *
 *   slot 30 ms = 1.5 ms gap | 3 ms raised-cosine ramp | 21 ms steady dual tone | 3 ms ramp | 1.5 ms gap
 *
 * An utterance is `SYNC_A SYNC_B <text symbols…> END`. The recogniser finds SYNC_A by its energy
 * profile, which fixes the slot clock; every later slot is read at its known centre with a 20 ms
 * rectangular window (searched ±2 ms). All tones are multiples of 50 Hz, so over 20 ms they are
 * orthogonal; they lie between 400 and 2700 Hz, inside the telephone band, so the voice survives
 * resampling to 8 kHz and G.711.
 */

/** One slot per symbol. */
export const SLOT_MS = 30;
/** Silence before and after each tone burst inside its slot. */
export const GAP_MS = 1.5;
/** Raised-cosine fade in and fade out. */
export const RAMP_MS = 3;
/** Tone burst including ramps. */
export const BURST_MS = SLOT_MS - 2 * GAP_MS;
/** Analysis window; tones on a 1000/WINDOW_MS Hz grid are orthogonal over it. */
export const WINDOW_MS = 20;

export const LOW_TONES_HZ: readonly number[] = [400, 550, 700, 850, 1000, 1150, 1300, 1450];
export const HIGH_TONES_HZ: readonly number[] = [1650, 1800, 1950, 2100, 2250, 2400, 2550, 2700];
/** All tones, low group first: index i < 8 is low tone i, index 8 + j is high tone j. */
export const ALL_TONES_HZ: readonly number[] = [...LOW_TONES_HZ, ...HIGH_TONES_HZ];

export const SYMBOL_COUNT = LOW_TONES_HZ.length * HIGH_TONES_HZ.length;

/** Low-group tone index of a symbol. */
export function lowToneOf(symbol: number): number {
  return symbol >> 3;
}
/** High-group tone index of a symbol. */
export function highToneOf(symbol: number): number {
  return symbol & 7;
}
export function symbolOf(lowTone: number, highTone: number): number {
  return (lowTone << 3) | highTone;
}

/** Default peak level of synthesised voice: −12 dBFS. */
export const DEFAULT_AMPLITUDE = 10 ** (-12 / 20);

const FRACTIONAL_RATES = new Set([22050, 44100, 88200]);

/**
 * The recogniser needs a whole number of samples in its 20 ms window and ~1 ms blocks: any
 * multiple of 1000 Hz from 8000 to 192000, or 22050, 44100, 88200.
 */
export function checkSampleRate(sampleRate: unknown, option = 'sampleRate'): number {
  if (
    typeof sampleRate !== 'number' ||
    !Number.isInteger(sampleRate) ||
    sampleRate < 8000 ||
    sampleRate > 192000 ||
    (sampleRate % 1000 !== 0 && !FRACTIONAL_RATES.has(sampleRate))
  ) {
    throw new RangeError(
      `${option} must be an integer multiple of 1000 Hz from 8000 to 192000, or 22050, 44100 or 88200 ` +
        `(e.g. 8000, 16000, 22050, 24000, 32000, 44100, 48000); received ${String(sampleRate)}`,
    );
  }
  return sampleRate;
}
