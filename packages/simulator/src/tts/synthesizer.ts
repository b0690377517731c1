import { synthesizeVoice } from '../voice/index.js';
import { splitTags } from './tags.js';

/** Audio of one `audio.delta`: 100 ms. */
export const CHUNK_MS = 100;

/**
 * Turns the text of one utterance into audio chunks as it arrives. Text is spoken in groups of
 * whole words as soon as a word is complete (so the first audio follows the first word quickly);
 * inline speech tags become silence. Emits PCM16 chunks of `CHUNK_MS` (the last one shorter).
 */
export class UtteranceSynthesizer {
  private text = '';
  private samples: Int16Array;
  private fill = 0;
  private readonly chunkSamples: number;

  constructor(
    private readonly sampleRate: number,
    private readonly onChunk: (samples: Int16Array) => void,
  ) {
    this.chunkSamples = Math.round((sampleRate * CHUNK_MS) / 1000);
    this.samples = new Int16Array(this.chunkSamples);
  }

  /** One `text.delta`: speech tags are recognised only when whole inside it. */
  pushDelta(delta: string): void {
    for (const piece of splitTags(delta)) {
      if (piece.kind === 'text') {
        this.text += piece.text;
      } else {
        this.speak(this.text);
        this.text = '';
        this.append(new Int16Array(Math.round((piece.ms * this.sampleRate) / 1000)));
      }
    }
    const cut = Math.max(
      this.text.lastIndexOf(' '),
      this.text.lastIndexOf('\n'),
      this.text.lastIndexOf('\t'),
    );
    if (cut > 0 && this.text.slice(0, cut).trim().length > 0) {
      this.speak(this.text.slice(0, cut));
      this.text = this.text.slice(cut);
    }
  }

  /** `text.done`: speaks what is left and emits the last, shorter chunk. */
  finish(): void {
    this.speak(this.text);
    this.text = '';
    if (this.fill > 0) this.onChunk(this.samples.slice(0, this.fill));
    this.fill = 0;
  }

  private speak(text: string): void {
    if (text.trim().length === 0) return;
    this.append(synthesizeVoice(text, this.sampleRate));
  }

  private append(samples: Int16Array): void {
    let offset = 0;
    while (offset < samples.length) {
      const n = Math.min(this.chunkSamples - this.fill, samples.length - offset);
      this.samples.set(samples.subarray(offset, offset + n), this.fill);
      this.fill += n;
      offset += n;
      if (this.fill === this.chunkSamples) {
        this.onChunk(this.samples);
        this.samples = new Int16Array(this.chunkSamples);
        this.fill = 0;
      }
    }
  }
}
