import {
  StreamingResampler,
  SUPPORTED_SAMPLE_RATES,
  alawDecode,
  alawEncode,
  createAudioFrame,
  downmixToMono,
  mulawDecode,
  mulawEncode,
  resample,
  upmix,
} from '@x/audio';
import { describe, expect, it } from 'vitest';
import { VoiceRecognizer, synthesizeVoice, voiceDurationMs, voiceTimeline } from './index.js';
import { SLOT_MS } from './modem.js';
import { applyGain, concat, mixInto, seededRandom, silenceSamples, whiteNoise } from './test-signals.js';

const TEXT = "Hi! What's the weather in Paris, at 9:45?";
const LEAD_MS = 120;

function spoken(text: string, rate: number, leadMs = LEAD_MS, tailMs = 150): Int16Array {
  return concat([silenceSamples(leadMs, rate), synthesizeVoice(text, rate), silenceSamples(tailMs, rate)]);
}

function recognizeAll(samples: Int16Array, sampleRate: number) {
  const r = new VoiceRecognizer({ sampleRate });
  r.push(samples);
  r.flush();
  return { text: r.text, utterances: r.takeUtterances(), heardUnrecognized: r.heardUnrecognizedSpeech };
}

function expectWordTimes(
  words: { text: string; startMs: number; endMs: number }[],
  text: string,
  offsetMs: number,
) {
  const expected = voiceTimeline(text).words;
  expect(words.map((w) => w.text)).toEqual(expected.map((w) => w.text));
  words.forEach((w, i) => {
    expect(Math.abs(w.startMs - (expected[i]!.startMs + offsetMs))).toBeLessThan(SLOT_MS / 3);
    expect(Math.abs(w.endMs - (expected[i]!.endMs + offsetMs))).toBeLessThan(SLOT_MS / 3);
  });
}

describe('voice through @x/audio', () => {
  it('survives resampling between every pair of supported rates', () => {
    const sources = new Map(SUPPORTED_SAMPLE_RATES.map((rate) => [rate, spoken(TEXT, rate)]));
    for (const from of SUPPORTED_SAMPLE_RATES) {
      for (const to of SUPPORTED_SAMPLE_RATES) {
        const audio = from === to ? sources.get(from)! : resample(sources.get(from)!, from, to);
        const heard = recognizeAll(audio, to);
        expect(heard.text, `${from} → ${to} Hz`).toBe(TEXT);
        expect(heard.heardUnrecognized).toBe(false);
        expectWordTimes(heard.utterances[0]!.words, TEXT, LEAD_MS);
      }
    }
  });

  it('survives the fast resampler preset', () => {
    for (const [from, to] of [
      [48000, 8000],
      [8000, 48000],
      [44100, 16000],
      [22050, 24000],
    ] as const) {
      const audio = resample(spoken(TEXT, from), from, to, { quality: 'fast' });
      expect(recognizeAll(audio, to).text, `${from} → ${to} Hz (fast)`).toBe(TEXT);
    }
  });

  it('gives the same result through a streaming resampler fed random chunks', () => {
    const random = seededRandom(11);
    const source = concat([spoken(TEXT, 44100, 77), spoken('And a second one.', 44100, 400)]);
    const resampler = new StreamingResampler({ inputRate: 44100, outputRate: 16000 });
    const r = new VoiceRecognizer({ sampleRate: 16000 });
    for (let i = 0; i < source.length; ) {
      const n = 1 + Math.floor(random() * 3000);
      r.push(resampler.process(source.subarray(i, i + n)));
      i += n;
    }
    r.push(resampler.flush());
    r.flush();
    const utterances = r.takeUtterances();
    expect(utterances.map((u) => u.text)).toEqual([TEXT, 'And a second one.']);
    const oneShot = recognizeAll(resample(source, 44100, 16000), 16000);
    expect(utterances).toEqual(oneShot.utterances);
  });

  it('survives G.711 µ-law and A-law at 8 kHz, at any level', () => {
    for (const gain of [-12, 0, 12]) {
      const at8k = applyGain(resample(spoken(TEXT, 24000), 24000, 8000), gain);
      const viaMulaw = mulawDecode(mulawEncode(at8k));
      const viaAlaw = alawDecode(alawEncode(at8k));
      expect(recognizeAll(viaMulaw, 8000).text, `µ-law ${gain} dB`).toBe(TEXT);
      expect(recognizeAll(viaAlaw, 8000).text, `A-law ${gain} dB`).toBe(TEXT);
      expectWordTimes(recognizeAll(viaAlaw, 8000).utterances[0]!.words, TEXT, LEAD_MS);
    }
  });

  it('survives a phone path: 48 kHz → 8 kHz µ-law with noise → 16 kHz', () => {
    const at8k = resample(spoken(TEXT, 48000), 48000, 8000);
    mixInto(at8k, whiteNoise(at8k.length, -40, 99));
    const back = resample(mulawDecode(mulawEncode(applyGain(at8k, -6))), 8000, 16000);
    expect(recognizeAll(back, 16000).text).toBe(TEXT);
  });

  it('survives a stereo downmix, with the voice on both channels or on one only', () => {
    const rate = 48000;
    const mono = spoken(TEXT, rate);
    const both = downmixToMono(upmix(createAudioFrame(mono, rate), 2));
    expect(recognizeAll(both.data, rate).text).toBe(TEXT);
    const interleaved = new Int16Array(mono.length * 2);
    const noise = whiteNoise(mono.length, -40, 5);
    for (let i = 0; i < mono.length; i++) {
      interleaved[2 * i] = noise[i]!;
      interleaved[2 * i + 1] = mono[i]!;
    }
    const oneSide = downmixToMono(createAudioFrame(interleaved, rate, 2));
    expect(recognizeAll(oneSide.data, rate).text).toBe(TEXT);
  });

  it('survives ±12 dB of gain and −40 dBFS noise after resampling', () => {
    for (const gain of [-12, 12]) {
      const audio = applyGain(resample(spoken(TEXT, 24000), 24000, 16000), gain);
      mixInto(audio, whiteNoise(audio.length, -40, 7 + gain));
      const heard = recognizeAll(audio, 16000);
      expect(heard.text, `${gain} dB`).toBe(TEXT);
      expect(heard.heardUnrecognized).toBe(false);
    }
  });

  it('keeps its duration through resampling', () => {
    const audio = resample(synthesizeVoice(TEXT, 22050), 22050, 48000);
    expect(Math.abs((audio.length * 1000) / 48000 - voiceDurationMs(TEXT))).toBeLessThan(1);
  });
});
