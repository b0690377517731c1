/**
 * G.711 per-sample rules (ITU-T G.711 segment tables, as the ITU-T G.191 reference software
 * applies them to 16-bit input). They build the lookup tables and are the reference the tests hold
 * every fast path to; nothing on a hot path calls them.
 */

/** µ-law and A-law codes ignore this many low bits of a sample (they use its top 14 or 12 bits). */
export const MULAW_IGNORED_BITS = 2;
export const ALAW_IGNORED_BITS = 4;

/** µ-law code of one int16 sample: 14 most significant bits, one's complement for negatives. */
export function encodeMulawSample(sample: number): number {
  const negative = sample < 0;
  // 14-bit magnitude (one's complement for negatives) plus the µ-law bias of 33.
  let magnitude = ((negative ? ~sample : sample) >> 2) + 33;
  if (magnitude > 0x1fff) magnitude = 0x1fff;
  // Segment: position of the leading one above bit 5 (magnitude ≥ 33 always has one).
  let segment = 1;
  for (let v = magnitude >> 6; v !== 0; v >>= 1) segment++;
  const code = ((8 - segment) << 4) | (15 - ((magnitude >> segment) & 0x0f));
  return negative ? code : code | 0x80;
}

/** Linear value (16-bit scale) of a µ-law code (0–255). */
export function decodeMulawCode(code: number): number {
  const inverted = ~code & 0xff;
  const exponent = (inverted >> 4) & 0x07;
  const mantissa = inverted & 0x0f;
  const step = 4 << (exponent + 1);
  const magnitude = (0x80 << exponent) + step * mantissa + step / 2 - 4 * 33;
  return code & 0x80 ? magnitude : -magnitude | 0; // | 0: code 0x7F is 0, not −0
}

/** A-law code of one int16 sample: 13 most significant bits, one's complement for negatives. */
export function encodeAlawSample(sample: number): number {
  const negative = sample < 0;
  let magnitude = (negative ? ~sample : sample) >> 4; // 12-bit magnitude, 0 … 2047
  if (magnitude > 15) {
    let exponent = 1;
    while (magnitude > 31) {
      magnitude >>= 1;
      exponent++;
    }
    magnitude = magnitude - 16 + (exponent << 4);
  }
  if (!negative) magnitude |= 0x80;
  return magnitude ^ 0x55; // even bits are inverted on the line
}

/** Linear value (16-bit scale) of an A-law code (0–255). */
export function decodeAlawCode(code: number): number {
  const v = (code ^ 0x55) & 0x7f;
  const exponent = v >> 4;
  let mantissa = v & 0x0f;
  if (exponent > 0) mantissa += 16;
  mantissa = (mantissa << 4) + 8;
  if (exponent > 1) mantissa <<= exponent - 1;
  return code & 0x80 ? mantissa : -mantissa;
}
