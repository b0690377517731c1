import { allocatePlayedMs, truncateTranscript } from '../realtime/interruption.js';

/** A chunk of text handed to the TTS, with the audio it produced so far. */
export interface SpokenSentence {
  text: string;
  /** Milliseconds of audio received for it (complete or not). */
  audioMs: number;
  /** Whether all of its audio has arrived. */
  complete: boolean;
}

/**
 * How much of each sentence the user heard when `playedMs` of the speech's audio had played.
 *
 * Played time is spread over the sentences in order, each taking up to its own audio length. A
 * sentence whose audio was still arriving is assumed to be as long as its text predicts at the
 * speaking rate of the complete ones (never shorter than the audio already received). Inside the
 * sentence where playback stopped, the cut is proportional and moved back to a word boundary.
 * Returns one string per sentence ('' for those not heard at all).
 */
export function heardSentences(sentences: readonly SpokenSentence[], playedMs: number): string[] {
  const complete = sentences.filter((s) => s.complete && s.audioMs > 0);
  const chars = complete.reduce((sum, s) => sum + s.text.length, 0);
  const msPerChar = chars > 0 ? complete.reduce((sum, s) => sum + s.audioMs, 0) / chars : 0;
  const lengths = sentences.map((s) =>
    s.complete ? s.audioMs : Math.max(s.audioMs, s.text.length * msPerChar),
  );
  // What played cannot exceed what arrived.
  const arrived = sentences.reduce((sum, s) => sum + s.audioMs, 0);
  const shares = allocatePlayedMs(Math.min(playedMs, arrived), lengths);
  return sentences.map((s, i) => truncateTranscript(s.text, shares[i] ?? 0, lengths[i] ?? 0));
}

/** The heard sentences joined as one text (empty ones left out). */
export function joinHeard(parts: readonly string[]): string {
  return parts.filter((part) => part !== '').join(' ');
}
