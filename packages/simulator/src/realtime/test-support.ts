import type { RealtimeSession, SpeechRecognizer, VoiceEngine } from './session.js';

/**
 * Test helpers for the realtime endpoint (not exported from the package).
 *
 * `fakeVoice` is a trivial, exact voice for protocol tests: each character is 10 ms of a constant
 * level `code × 64`, with alternating sign so repeated letters stay apart; silence is 0. Its
 * recogniser reads runs of equal samples back, whatever the chunking.
 */
const CHAR_MS = 10;

class FakeRecognizer implements SpeechRecognizer {
  private runValue = 0;
  private runLength = 0;
  private decoded = '';

  constructor(private readonly sampleRate: number) {}

  get text(): string {
    return this.decoded;
  }

  push(samples: Int16Array): void {
    for (const s of samples) {
      if (s === this.runValue) {
        this.runLength++;
        continue;
      }
      this.endRun();
      this.runValue = s;
      this.runLength = 1;
    }
  }

  flush(): void {
    this.endRun();
    this.runValue = 0;
    this.runLength = 0;
  }

  private endRun(): void {
    if (this.runValue === 0 || this.runLength === 0) return;
    const perChar = (this.sampleRate * CHAR_MS) / 1000;
    const count = Math.round(this.runLength / perChar);
    const code = Math.round(Math.abs(this.runValue) / 64);
    if (code >= 32 && code < 127) this.decoded += String.fromCharCode(code).repeat(count);
  }
}

export function fakeSynthesize(text: string, sampleRate: number): Int16Array {
  const perChar = (sampleRate * CHAR_MS) / 1000;
  const out = new Int16Array(text.length * perChar);
  for (let i = 0; i < text.length; i++) {
    const level = (i % 2 === 0 ? 1 : -1) * text.charCodeAt(i) * 64;
    out.fill(level, i * perChar, (i + 1) * perChar);
  }
  return out;
}

export function fakeDurationMs(text: string): number {
  return text.length * CHAR_MS;
}

export const fakeVoice: VoiceEngine = {
  synthesize: fakeSynthesize,
  createRecognizer: (sampleRate) => new FakeRecognizer(sampleRate),
  unrecognizedMarker: '[unrecognized speech]',
};

export function fakeRecognize(samples: Int16Array, sampleRate: number): string {
  const r = new FakeRecognizer(sampleRate);
  r.push(samples);
  r.flush();
  return r.text;
}

export function pcmBase64(samples: Int16Array): string {
  return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength).toString('base64');
}

export function concat(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function silenceSamples(ms: number, sampleRate: number): Int16Array {
  return new Int16Array(Math.round((ms * sampleRate) / 1000));
}

/** Appends PCM16 to a session in `chunkMs` pieces. */
export function appendPcm(
  session: RealtimeSession,
  samples: Int16Array,
  sampleRate: number,
  chunkMs = 100,
): void {
  const step = Math.round((sampleRate * chunkMs) / 1000);
  for (let at = 0; at < samples.length; at += step) {
    session.handleEvent({
      type: 'input_audio_buffer.append',
      audio: pcmBase64(samples.subarray(at, at + step)),
    });
  }
}

/** Decodes the base64 PCM16 of every `response.output_audio.delta` of a response, in order. */
export function responseAudio(
  events: ReadonlyArray<Record<string, unknown>>,
  responseId?: string,
): Int16Array {
  const parts: Int16Array[] = [];
  for (const e of events) {
    if (e.type !== 'response.output_audio.delta') continue;
    if (responseId !== undefined && e.response_id !== responseId) continue;
    const bytes = Buffer.from(e.delta as string, 'base64');
    const copy = new Uint8Array(bytes);
    parts.push(new Int16Array(copy.buffer, 0, copy.byteLength >> 1));
  }
  return concat(...parts);
}

export function types(events: ReadonlyArray<Record<string, unknown>>): string[] {
  return events.map((e) => e.type as string);
}
