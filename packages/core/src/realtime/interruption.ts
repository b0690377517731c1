/**
 * Interruption math, kept in one place.
 *
 * When the user barges in, the assistant's reply is cut at the audio the user actually heard:
 * not what the server generated, not what was queued, but `min(elapsed, played)`: the time since
 * playback of the reply began bounds what a speaker could have played, and the output's own
 * `playedMs` is what it reports having played. Both are clamped to the audio received.
 */
export function truncationPointMs(input: { elapsedMs: number; playedMs: number; audioMs: number }): number {
  const point = Math.min(input.elapsedMs, input.playedMs, input.audioMs);
  return Number.isFinite(point) && point > 0 ? point : 0;
}

/**
 * Splits the played time of one interrupted output segment over the replies queued in it, in
 * order: the first reply gets up to its own length, the rest carries over to the next.
 */
export function allocatePlayedMs(playedMs: number, audioMs: readonly number[]): number[] {
  let left = Math.max(0, playedMs);
  return audioMs.map((ms) => {
    const share = Math.min(left, ms);
    left -= share;
    return share;
  });
}

/**
 * The part of a reply's transcript the user heard, estimated from the share of its audio that was
 * played. Transcripts carry no word timings, so the cut is proportional and moved back to a word
 * boundary (never mid-word). Returns the whole text when everything was played.
 */
export function truncateTranscript(text: string, playedMs: number, audioMs: number): string {
  if (audioMs <= 0 || playedMs <= 0) return '';
  if (playedMs >= audioMs) return text;
  const cut = Math.floor((text.length * playedMs) / audioMs);
  if (cut >= text.length) return text;
  // Keep whole words only: back up to the last whitespace at or before the cut.
  const head = text.slice(0, cut + 1);
  const lastSpace = head.search(/\s\S*$/);
  const kept = lastSpace >= 0 ? text.slice(0, lastSpace) : '';
  return kept.trimEnd();
}
