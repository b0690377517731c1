import { AudioFormatError } from './errors.js';
import { type AudioFrame, createAudioFrame } from './frame.js';
import { assertChannels } from './rates.js';
import { roundInt16 } from './round.js';

/**
 * Average of all channels, rounded to the nearest integer. A mono frame is returned as is —
 * the channel count always comes from the frame, never guessed from its length.
 */
export function downmixToMono(frame: AudioFrame): AudioFrame {
  const channels = frame.channels;
  if (channels === 1) return frame;
  const n = frame.samplesPerChannel;
  const src = frame.data;
  const out = new Int16Array(n);
  if (channels === 2) {
    // (a + b + 1) >> 1 is Math.round((a + b) / 2) for integers (halves round up), in integer ops.
    for (let i = 0, s = 0; i < n; i++, s += 2) out[i] = (src[s]! + src[s + 1]! + 1) >> 1;
  } else {
    for (let i = 0, s = 0; i < n; i++, s += channels) {
      let sum = 0;
      for (let c = 0; c < channels; c++) sum += src[s + c]!;
      out[i] = roundInt16(sum / channels);
    }
  }
  return createAudioFrame(out, frame.sampleRate, 1);
}

/** Copies a mono frame into `channels` identical channels. Throws for a frame that is not mono. */
export function upmix(frame: AudioFrame, channels: number): AudioFrame {
  assertChannels(channels);
  if (frame.channels !== 1) {
    throw new AudioFormatError(
      'format_mismatch',
      `upmix takes a mono frame; this one has ${frame.channels} channels (use remix for any → any)`,
    );
  }
  if (channels === 1) return frame;
  const n = frame.samplesPerChannel;
  const src = frame.data;
  const out = new Int16Array(n * channels);
  for (let i = 0, o = 0; i < n; i++, o += channels) {
    const v = src[i]!;
    for (let c = 0; c < channels; c++) out[o + c] = v;
  }
  return createAudioFrame(out, frame.sampleRate, channels);
}

/**
 * Any channel count → any other, from the frame's own count:
 * - same count: the frame itself;
 * - to mono: the average of all channels ({@link downmixToMono});
 * - from mono: the channel copied ({@link upmix});
 * - N → M, M > N: output channel j is input channel j mod N (stereo → 4 ch gives L R L R);
 * - N → M, M < N: output channel j is the average of input channels j, j+M, j+2M, …
 *   (4 ch → stereo gives (c0+c2)/2, (c1+c3)/2).
 */
export function remix(frame: AudioFrame, channels: number): AudioFrame {
  assertChannels(channels);
  const from = frame.channels;
  if (channels === from) return frame;
  if (channels === 1) return downmixToMono(frame);
  if (from === 1) return upmix(frame, channels);
  const n = frame.samplesPerChannel;
  const src = frame.data;
  const out = new Int16Array(n * channels);
  if (channels > from) {
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < channels; c++) out[i * channels + c] = src[i * from + (c % from)]!;
    }
  } else {
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        let k = 0;
        for (let s = c; s < from; s += channels, k++) sum += src[i * from + s]!;
        out[i * channels + c] = roundInt16(sum / k);
      }
    }
  }
  return createAudioFrame(out, frame.sampleRate, channels);
}
