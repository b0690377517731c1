import { describe, expect, it } from 'vitest';
import { SymbolDecoder, encodeText, normalizeVoiceText } from './alphabet.js';
import {
  type RecognizedUtterance,
  type RecognizedWord,
  UNRECOGNIZED_SPEECH_MARKER,
  type UnrecognizedSegment,
  VoiceRecognizer,
  synthesizeVoice,
  voiceDurationMs,
  voiceTimeline,
} from './index.js';
import { ALL_TONES_HZ, SLOT_MS } from './modem.js';
import { utteranceSymbols } from './synthesize.js';
import {
  applyGain,
  chirp,
  concat,
  mixInto,
  seededRandom,
  silenceSamples,
  whiteNoise,
} from './test-signals.js';

export const SENTENCES = [
  "What's the weather in Paris?",
  'Book a table for 4 at 7:30 pm, please.',
  'HELLO world! Is order #A-1029 ready (yes/no)?',
  'My e-mail is jane_doe@example.com; call +1 555 0100.',
  'Ça coûte 12 € — d’accord?',
];

interface Heard {
  text: string;
  words: RecognizedWord[];
  utterances: RecognizedUtterance[];
  unrecognized: UnrecognizedSegment[];
  heardUnrecognized: boolean;
}

function recognize(samples: Int16Array, sampleRate: number, chunkSizes?: () => number): Heard {
  const r = new VoiceRecognizer({ sampleRate });
  const words: RecognizedWord[] = [];
  if (!chunkSizes) r.push(samples);
  else {
    for (let i = 0; i < samples.length; ) {
      const n = Math.min(chunkSizes(), samples.length - i);
      r.push(samples.subarray(i, i + n));
      words.push(...r.takeWords());
      i += n;
    }
  }
  r.flush();
  words.push(...r.takeWords());
  return {
    text: r.text,
    words,
    utterances: r.takeUtterances(),
    unrecognized: r.takeUnrecognizedSegments(),
    heardUnrecognized: r.heardUnrecognizedSpeech,
  };
}

function padded(voice: Int16Array, sampleRate: number, leadMs = 250, tailMs = 250): Int16Array {
  return concat([silenceSamples(leadMs, sampleRate), voice, silenceSamples(tailMs, sampleRate)]);
}

describe('alphabet', () => {
  it('normalises white space and Unicode form only', () => {
    expect(normalizeVoiceText('  Hello,\n\tWorld!  ')).toBe('Hello, World!');
    expect(normalizeVoiceText('Cafe\u0301')).toBe('Caf\u00e9');
    expect(normalizeVoiceText(' \n ')).toBe('');
  });

  it('decodes every character it encodes', () => {
    const text = 'AZaz09 .,?!\'-:;"()/&%$@+=#*_’é€😀\u0000';
    const decoder = new SymbolDecoder();
    let out = '';
    for (const symbol of encodeText(text)) {
      const d = decoder.push(symbol);
      if (d.kind === 'char') out += d.char;
      else if (d.kind === 'space') out += ' ';
      else expect(d.kind).toBe('pending');
    }
    expect(out).toBe(text);
  });

  it('uses one symbol per lower-case letter, two per capital, five per other character', () => {
    expect(encodeText('ab')).toHaveLength(2);
    expect(encodeText('AB')).toHaveLength(4);
    expect(encodeText('é')).toHaveLength(5);
    expect(utteranceSymbols('hi')).toHaveLength(5);
    expect(utteranceSymbols('   ')).toHaveLength(0);
  });
});

describe('synthesizeVoice', () => {
  it('keeps every tone in the telephone band and at −12 dBFS peak', () => {
    for (const hz of ALL_TONES_HZ) {
      expect(hz).toBeGreaterThanOrEqual(300);
      expect(hz).toBeLessThanOrEqual(3400);
    }
    const pcm = synthesizeVoice(SENTENCES[0]!, 16000);
    let peak = 0;
    for (const v of pcm) peak = Math.max(peak, Math.abs(v));
    expect(20 * Math.log10(peak / 32767)).toBeCloseTo(-12, 0);
    expect(20 * Math.log10(peak / 32767)).toBeLessThanOrEqual(-12);
    const quiet = synthesizeVoice(SENTENCES[0]!, 16000, { amplitude: 0.1 });
    let quietPeak = 0;
    for (const v of quiet) quietPeak = Math.max(quietPeak, Math.abs(v));
    expect(quietPeak / 32767).toBeCloseTo(0.1, 2);
  });

  it('is as long as voiceDurationMs says, at every rate', () => {
    for (const rate of [8000, 16000, 22050, 24000, 32000, 44100, 48000]) {
      for (const text of SENTENCES) {
        const pcm = synthesizeVoice(text, rate);
        expect(pcm.length).toBe(Math.round((voiceDurationMs(text) * rate) / 1000));
      }
    }
    expect(voiceDurationMs("What's the weather in Paris?")).toBe((2 + 28 + 2 + 1) * SLOT_MS);
    expect(voiceTimeline('Hi there').durationMs).toBe(voiceDurationMs('Hi there'));
    expect(synthesizeVoice('  ', 16000)).toHaveLength(0);
  });

  it('is deterministic', () => {
    expect(synthesizeVoice('Same text', 24000)).toEqual(synthesizeVoice('Same text', 24000));
  });

  it('rejects bad rates and amplitudes with a message naming them', () => {
    expect(() => synthesizeVoice('x', 11025)).toThrow(/sampleRate .*11025/);
    expect(() => synthesizeVoice('x', 4000)).toThrow(RangeError);
    expect(() => synthesizeVoice('x', 16000, { amplitude: 2 })).toThrow(/amplitude/);
    expect(() => new VoiceRecognizer({ sampleRate: 16001 })).toThrow(/sampleRate/);
    expect(() => new VoiceRecognizer({ sampleRate: 16000, utteranceEndSilenceMs: -1 })).toThrow(
      /utteranceEndSilenceMs/,
    );
  });
});

describe('VoiceRecognizer', () => {
  it('gives back exactly the text that was spoken, at every rate', () => {
    for (const rate of [8000, 16000, 22050, 24000, 32000, 44100, 48000]) {
      for (const text of SENTENCES) {
        const heard = recognize(padded(synthesizeVoice(text, rate), rate), rate);
        expect(heard.text, `${rate} Hz`).toBe(normalizeVoiceText(text));
        expect(heard.utterances).toHaveLength(1);
        expect(heard.heardUnrecognized).toBe(false);
      }
    }
  });

  it('times words to within a fraction of a symbol', () => {
    const rate = 16000;
    const text = "What's the weather in Paris?";
    const heard = recognize(padded(synthesizeVoice(text, rate), rate, 123.4), rate);
    const expected = voiceTimeline(text).words;
    expect(heard.words.map((w) => w.text)).toEqual(expected.map((w) => w.text));
    heard.words.forEach((w, i) => {
      expect(Math.abs(w.startMs - (expected[i]!.startMs + 123.4))).toBeLessThan(2);
      expect(Math.abs(w.endMs - (expected[i]!.endMs + 123.4))).toBeLessThan(2);
      expect(w.confidence).toBeGreaterThan(0.9);
    });
    const [u] = heard.utterances;
    expect(u!.startMs).toBeCloseTo(123.4 + 1.5, 0);
    expect(u!.endMs).toBeCloseTo(123.4 + voiceDurationMs(text) - 1.5, 0);
  });

  it('gives the same words and times however the input is chunked', () => {
    const rate = 16000;
    const audio = concat([
      padded(synthesizeVoice(SENTENCES[1]!, rate), rate, 37, 300),
      padded(synthesizeVoice(SENTENCES[2]!, rate), rate, 11, 90),
    ]);
    const oneShot = recognize(audio, rate);
    expect(oneShot.text).toBe(`${SENTENCES[1]} ${SENTENCES[2]}`);
    const random = seededRandom(7);
    for (const sizes of [
      () => 1,
      () => 160,
      () => 1 + Math.floor(random() * 5000),
      () => 1 + Math.floor(random() * 37),
    ]) {
      const chunked = recognize(audio, rate, sizes);
      expect(chunked.words).toEqual(oneShot.words);
      expect(chunked.utterances).toEqual(oneShot.utterances);
    }
  });

  it('reports words as they finish, with partial text for the open utterance', () => {
    const rate = 8000;
    const audio = synthesizeVoice('one two three', rate);
    const r = new VoiceRecognizer({ sampleRate: rate });
    const seen: string[] = [];
    const partials = new Set<string>();
    for (let i = 0; i < audio.length; i += 80) {
      r.push(audio.subarray(i, i + 80));
      for (const w of r.takeWords()) seen.push(w.text);
      partials.add(r.partialText);
      if (seen.length === 1) expect(r.speaking).toBe(true);
    }
    r.push(silenceSamples(100, rate));
    for (const w of r.takeWords()) seen.push(w.text);
    expect(seen).toEqual(['one', 'two', 'three']);
    expect([...partials]).toEqual(expect.arrayContaining(['', 'one', 'one two']));
    expect(r.speaking).toBe(false);
    expect(r.takeUtterances().map((u) => u.text)).toEqual(['one two three']);
    expect(r.partialText).toBe('');
    expect(r.text).toBe('one two three');
  });

  it('survives ±12 dB of gain and white noise at −40 dBFS', () => {
    for (const rate of [8000, 24000]) {
      for (const gain of [-12, 0, 12]) {
        const text = SENTENCES[gain === 0 ? 2 : 0]!;
        const audio = applyGain(padded(synthesizeVoice(text, rate), rate), gain);
        mixInto(audio, whiteNoise(audio.length, -40, 1000 + gain));
        const heard = recognize(audio, rate);
        expect(heard.text, `${rate} Hz, ${gain} dB`).toBe(text);
        expect(heard.heardUnrecognized).toBe(false);
      }
    }
  });

  it('separates utterances divided by silence and times them', () => {
    const rate = 24000;
    const texts = ['First one.', 'And the Second!', 'third'];
    const gapsMs = [400, 1200, 50];
    const parts: Int16Array[] = [];
    const starts: number[] = [];
    let atMs = 0;
    texts.forEach((text, i) => {
      parts.push(silenceSamples(gapsMs[i]!, rate));
      atMs += gapsMs[i]!;
      starts.push(atMs);
      parts.push(synthesizeVoice(text, rate));
      atMs += voiceDurationMs(text);
    });
    parts.push(silenceSamples(700, rate));
    const heard = recognize(concat(parts), rate);
    expect(heard.utterances.map((u) => u.text)).toEqual(texts);
    expect(heard.text).toBe(texts.join(' '));
    heard.utterances.forEach((u, i) => {
      const expected = voiceTimeline(texts[i]!).words;
      expect(u.words.map((w) => w.text)).toEqual(expected.map((w) => w.text));
      u.words.forEach((w, j) => {
        expect(Math.abs(w.startMs - (starts[i]! + expected[j]!.startMs))).toBeLessThan(SLOT_MS / 2);
        expect(Math.abs(w.endMs - (starts[i]! + expected[j]!.endMs))).toBeLessThan(SLOT_MS / 2);
      });
    });
  });

  it('separates utterances that follow each other with no silence at all', () => {
    const rate = 22050;
    const texts = ['No gap', 'between these', 'Three.'];
    const heard = recognize(concat(texts.map((t) => synthesizeVoice(t, rate))), rate);
    expect(heard.utterances.map((u) => u.text)).toEqual(texts);
    const firstWord = heard.utterances[0]!.words[0]!;
    expect(Math.abs(firstWord.startMs - voiceTimeline(texts[0]!).words[0]!.startMs)).toBeLessThan(2);
    const secondStart = voiceDurationMs(texts[0]!) + voiceTimeline(texts[1]!).words[0]!.startMs;
    expect(Math.abs(heard.utterances[1]!.words[0]!.startMs - secondStart)).toBeLessThan(2);
  });

  it('ends a cut-off utterance after utteranceEndSilenceMs, keeping the words heard', () => {
    const rate = 16000;
    const full = synthesizeVoice('stop right there please', rate);
    const cutMs = voiceTimeline('stop right there please').words[2]!.startMs + 45; // inside "there"
    const audio = concat([full.subarray(0, Math.round((cutMs * rate) / 1000)), silenceSamples(1000, rate)]);
    const r = new VoiceRecognizer({ sampleRate: rate, utteranceEndSilenceMs: 300 });
    r.push(audio.subarray(0, Math.round(((cutMs + 200) * rate) / 1000)));
    expect(r.speaking).toBe(true);
    expect(r.takeUtterances()).toEqual([]);
    r.push(audio.subarray(Math.round(((cutMs + 200) * rate) / 1000)));
    expect(r.speaking).toBe(false);
    const [u] = r.takeUtterances();
    expect(u!.words.map((w) => w.text)).toEqual(['stop', 'right', 'th']);
    // The last symbol was cut in the middle of its slot: it still counts, and ends the utterance.
    expect(u!.endMs).toBeLessThanOrEqual(cutMs + SLOT_MS / 2);
    expect(u!.endMs).toBeGreaterThan(cutMs - SLOT_MS);
  });

  it('flush finishes the open utterance; later audio continues the clock', () => {
    const rate = 16000;
    const r = new VoiceRecognizer({ sampleRate: rate });
    const audio = synthesizeVoice('hello there', rate);
    r.push(audio.subarray(0, audio.length - Math.round(0.045 * rate))); // END marker and half a slot missing
    expect(r.takeUtterances()).toEqual([]);
    r.flush();
    expect(r.takeUtterances().map((u) => u.text)).toEqual(['hello there']);
    r.push(silenceSamples(100, rate));
    r.push(synthesizeVoice('again', rate));
    r.flush();
    const [again] = r.takeUtterances();
    expect(again!.text).toBe('again');
    const expectedStart =
      voiceDurationMs('hello there') - 45 + 100 + voiceTimeline('again').words[0]!.startMs;
    expect(Math.abs(again!.words[0]!.startMs - expectedStart)).toBeLessThan(2);
    expect(r.text).toBe('hello there again');
  });

  it('flags noise bursts and chirps as unrecognised speech without producing text', () => {
    const rate = 16000;
    const noise = whiteNoise(Math.round(0.6 * rate), -20, 42);
    const sweep = chirp(Math.round(1.2 * rate), rate, 300, 3400, -12);
    const slowSweep = chirp(Math.round(2 * rate), rate, 350, 2750, -6);
    for (const sound of [noise, sweep, slowSweep]) {
      const heard = recognize(padded(sound, rate, 500, 500), rate);
      expect(heard.text).toBe('');
      expect(heard.words).toEqual([]);
      expect(heard.heardUnrecognized).toBe(true);
      expect(heard.unrecognized).toHaveLength(1);
      const [segment] = heard.unrecognized;
      expect(segment!.startMs).toBeGreaterThan(470);
      expect(segment!.startMs).toBeLessThan(530);
      expect(Math.abs(segment!.endMs - (500 + (sound.length * 1000) / rate))).toBeLessThan(30);
    }
    expect(UNRECOGNIZED_SPEECH_MARKER).toBe('[unrecognized speech]');
  });

  it('hears the voice right after unrecognised sound, and not the sound as text', () => {
    const rate = 24000;
    const text = 'Right after the noise.';
    const audio = concat([
      silenceSamples(100, rate),
      whiteNoise(Math.round(0.4 * rate), -18, 3),
      silenceSamples(50, rate),
      synthesizeVoice(text, rate),
      silenceSamples(100, rate),
    ]);
    const heard = recognize(audio, rate);
    expect(heard.text).toBe(text);
    expect(heard.heardUnrecognized).toBe(true);
    expect(heard.unrecognized).toHaveLength(1);
    expect(heard.unrecognized[0]!.endMs).toBeLessThan(100 + 400 + 50 + 5);
  });

  it('finds the voice after a long stretch of quiet noise, and unrecognised sound cut off by the end', () => {
    const rate = 8000;
    const leadMs = 20_000;
    const audio = concat([
      whiteNoise(Math.round((leadMs * rate) / 1000), -50, 8),
      synthesizeVoice('Still there?', rate),
      silenceSamples(200, rate),
      whiteNoise(Math.round(0.3 * rate), -15, 9),
    ]);
    const heard = recognize(audio, rate);
    expect(heard.text).toBe('Still there?');
    expect(
      Math.abs(heard.words[0]!.startMs - (leadMs + voiceTimeline('Still there?').words[0]!.startMs)),
    ).toBeLessThan(2);
    expect(heard.unrecognized).toHaveLength(1);
    expect(heard.unrecognized[0]!.endMs).toBe((audio.length * 1000) / rate);
  });

  it('does not count a short click or quiet noise as speech', () => {
    const rate = 16000;
    const audio = concat([
      silenceSamples(200, rate),
      whiteNoise(Math.round(0.05 * rate), -10, 5),
      whiteNoise(rate, -45, 6),
    ]);
    const heard = recognize(audio, rate);
    expect(heard.heardUnrecognized).toBe(false);
    expect(heard.text).toBe('');
  });
});
