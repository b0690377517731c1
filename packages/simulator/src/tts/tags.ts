/** xAI's speech tags (xai-protocol.md §3). */
export const INLINE_TAGS = [
  'pause',
  'long-pause',
  'hum-tune',
  'laugh',
  'chuckle',
  'giggle',
  'cry',
  'tsk',
  'tongue-click',
  'lip-smack',
  'breath',
  'inhale',
  'exhale',
  'sigh',
] as const;
export const WRAPPING_TAGS = [
  'soft',
  'whisper',
  'loud',
  'build-intensity',
  'decrease-intensity',
  'higher-pitch',
  'lower-pitch',
  'slow',
  'fast',
  'sing-song',
  'singing',
  'emphasis',
  'laugh-speak',
] as const;

/** Silence the simulator puts where an inline tag was: pauses are pauses, other sounds are short. */
export function inlineTagSilenceMs(tag: string): number {
  if (tag === 'pause') return 300;
  if (tag === 'long-pause') return 800;
  return 100;
}

export type Piece = { kind: 'text'; text: string } | { kind: 'silence'; ms: number };

const TAG_PATTERN = new RegExp(`\\[(${INLINE_TAGS.join('|')})\\]|</?(${WRAPPING_TAGS.join('|')})>`, 'g');

/**
 * Splits ONE `text.delta` into text and silences. Only tags wholly inside the delta are
 * recognised (as on xAI's server): inline tags become silence, wrapping tags are dropped. A tag cut
 * across two deltas stays literal text and is spoken as such.
 */
export function splitTags(delta: string): Piece[] {
  const pieces: Piece[] = [];
  let last = 0;
  for (const match of delta.matchAll(TAG_PATTERN)) {
    const index = match.index ?? 0;
    if (index > last) pieces.push({ kind: 'text', text: delta.slice(last, index) });
    // A removed tag still separates words.
    if (match[1] !== undefined) pieces.push({ kind: 'silence', ms: inlineTagSilenceMs(match[1]) });
    else pieces.push({ kind: 'text', text: ' ' });
    last = index + match[0].length;
  }
  if (last < delta.length) pieces.push({ kind: 'text', text: delta.slice(last) });
  return pieces;
}
