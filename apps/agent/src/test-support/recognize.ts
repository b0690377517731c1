import { readFile } from 'node:fs/promises';
import { decodeWav } from '@x/audio';
import { VoiceRecognizer } from '@x/simulator';

export interface HeardReply {
  text: string;
  startMs: number;
  endMs: number;
}

/**
 * What a listener of the simulator's voice hears in mono PCM16: the recognised utterances, with
 * utterances less than `joinGapMs` apart joined into one reply (a reply's sentences are
 * synthesised back to back; replies are separated by the caller's turns).
 */
export function heardReplies(samples: Int16Array, sampleRate: number, joinGapMs = 250): HeardReply[] {
  const recognizer = new VoiceRecognizer({ sampleRate });
  recognizer.push(samples);
  recognizer.flush();
  const replies: HeardReply[] = [];
  for (const utterance of recognizer.takeUtterances()) {
    const last = replies.at(-1);
    if (last && utterance.startMs - last.endMs < joinGapMs) {
      last.text = `${last.text} ${utterance.text}`;
      last.endMs = utterance.endMs;
    } else {
      replies.push({ text: utterance.text, startMs: utterance.startMs, endMs: utterance.endMs });
    }
  }
  return replies;
}

/** `heardReplies` of a 16-bit PCM WAV file. */
export async function heardRepliesInWav(
  path: string,
): Promise<{ replies: HeardReply[]; durationMs: number }> {
  const frame = decodeWav(new Uint8Array(await readFile(path)));
  if (frame.channels !== 1) throw new Error(`${path}: expected mono, found ${frame.channels} channels`);
  return {
    replies: heardReplies(frame.data, frame.sampleRate),
    durationMs: (frame.samplesPerChannel * 1000) / frame.sampleRate,
  };
}

/** The words of a text (white space separated). */
export function words(text: string): string[] {
  return text.split(/\s+/).filter((w) => w.length > 0);
}
