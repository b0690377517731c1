/**
 * The voice's alphabet: which symbol carries which character.
 *
 * 64 symbols: a–z, 0–9, space, the punctuation `. , ? ! ' - : ; " ( ) / & % $ @ + = # * _ ’`, and five
 * control symbols. Upper-case A–Z is SHIFT + the letter. Any other character (é, —, emoji …) is ESC
 * followed by its UTF-16 code unit as four hex digits (0–9, a–f), so every string survives the round
 * trip once normalised by {@link normalizeVoiceText}.
 */

const DIRECT_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789 .,?!\'-:;"()/&%$@+=#*_\u2019';

export const SHIFT = DIRECT_CHARS.length; // 59
export const ESCAPE = SHIFT + 1;
export const SYNC_A = SHIFT + 2;
export const SYNC_B = SHIFT + 3;
export const END = SHIFT + 4; // 63, the last of 64 symbols
export const SPACE = DIRECT_CHARS.indexOf(' ');

const CODE_OF = new Map<string, number>();
for (let i = 0; i < DIRECT_CHARS.length; i++) CODE_OF.set(DIRECT_CHARS[i]!, i);

const HEX = '0123456789abcdef';

/**
 * What the recogniser will hear for `text`: Unicode NFC, every run of white space turned into one
 * space, leading and trailing white space removed. Everything else is kept exactly.
 */
export function normalizeVoiceText(text: string): string {
  return text.normalize('NFC').replace(/\s+/g, ' ').trim();
}

/** Symbols for already-normalised text (no preamble, no END). */
export function encodeText(normalized: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < normalized.length; i++) {
    const ch = normalized[i]!;
    const direct = CODE_OF.get(ch);
    if (direct !== undefined) {
      out.push(direct);
      continue;
    }
    const code = normalized.charCodeAt(i);
    if (code >= 65 && code <= 90) {
      out.push(SHIFT, CODE_OF.get(String.fromCharCode(code + 32))!);
      continue;
    }
    out.push(ESCAPE);
    for (let shift = 12; shift >= 0; shift -= 4) out.push(CODE_OF.get(HEX[(code >> shift) & 15]!)!);
  }
  return out;
}

/** Number of symbols `encodeText` produces for one character (UTF-16 code unit). */
export function symbolsForChar(ch: string): number {
  if (CODE_OF.has(ch)) return 1;
  const code = ch.charCodeAt(0);
  return code >= 65 && code <= 90 ? 2 : 5;
}

export type DecodedSymbol =
  | { kind: 'char'; char: string }
  | { kind: 'space' }
  | { kind: 'end' }
  | { kind: 'sync' }
  | { kind: 'pending' }
  | { kind: 'invalid' };

/** Turns received symbols back into characters (SHIFT and ESC span several symbols). */
export class SymbolDecoder {
  #shift = false;
  #escapeDigits = -1; // -1: not in an escape; else number of hex digits read
  #escapeValue = 0;

  reset(): void {
    this.#shift = false;
    this.#escapeDigits = -1;
    this.#escapeValue = 0;
  }

  push(symbol: number): DecodedSymbol {
    if (this.#escapeDigits >= 0) {
      const ch = DIRECT_CHARS[symbol];
      const digit = ch === undefined ? -1 : HEX.indexOf(ch);
      if (digit < 0) {
        this.reset();
        return { kind: 'invalid' };
      }
      this.#escapeValue = (this.#escapeValue << 4) | digit;
      this.#escapeDigits++;
      if (this.#escapeDigits < 4) return { kind: 'pending' };
      const char = String.fromCharCode(this.#escapeValue);
      this.reset();
      return { kind: 'char', char };
    }
    if (symbol === SHIFT) {
      this.#shift = true;
      return { kind: 'pending' };
    }
    if (symbol === ESCAPE) {
      this.#shift = false;
      this.#escapeDigits = 0;
      this.#escapeValue = 0;
      return { kind: 'pending' };
    }
    const shifted = this.#shift;
    this.#shift = false;
    if (symbol === END) return { kind: 'end' };
    if (symbol === SYNC_A || symbol === SYNC_B) return { kind: 'sync' };
    if (symbol === SPACE) return { kind: 'space' };
    const ch = DIRECT_CHARS[symbol];
    if (ch === undefined) return { kind: 'invalid' };
    if (shifted && ch >= 'a' && ch <= 'z') return { kind: 'char', char: ch.toUpperCase() };
    return { kind: 'char', char: ch };
  }
}
