import { describe, expect, it } from 'vitest';
import {
  findSpeechTags,
  INLINE_SPEECH_TAGS,
  SpeechTagChunker,
  speechTagForms,
  stripSpeechTags,
  WRAPPING_SPEECH_TAGS,
} from './speech-tags.js';

/** Deterministic PRNG (mulberry32) so failures reproduce. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = [
  'hello',
  'there',
  'a',
  '[',
  ']',
  '<',
  '>',
  'x[y',
  'a < b',
  '[not a tag]',
  '</',
  '<so',
  '[pa',
  'ok.',
];

function randomText(random: () => number): string {
  const forms = speechTagForms();
  const parts: string[] = [];
  const count = 3 + Math.floor(random() * 12);
  for (let i = 0; i < count; i++) {
    const r = random();
    if (r < 0.35) {
      const form = forms[Math.floor(random() * forms.length)]!;
      parts.push(random() < 0.2 ? form.toUpperCase() : form);
    } else {
      parts.push(WORDS[Math.floor(random() * WORDS.length)]!);
    }
    if (random() < 0.6) parts.push(' ');
  }
  return parts.join('');
}

function randomSplit(text: string, random: () => number): string[] {
  const pieces: string[] = [];
  let i = 0;
  while (i < text.length) {
    const n = 1 + Math.floor(random() * 7);
    pieces.push(text.slice(i, i + n));
    i += n;
  }
  return pieces;
}

function chunk(pieces: readonly string[]): string[] {
  const chunker = new SpeechTagChunker();
  const out: string[] = [];
  for (const piece of pieces) {
    const safe = chunker.push(piece);
    if (safe) out.push(safe);
  }
  const rest = chunker.flush();
  if (rest) out.push(rest);
  return out;
}

describe('speech tags', () => {
  it('lists the inline and wrapping tags of xAI', () => {
    expect(INLINE_SPEECH_TAGS).toContain('long-pause');
    expect(WRAPPING_SPEECH_TAGS).toContain('laugh-speak');
    const forms = speechTagForms();
    expect(forms).toContain('[tongue-click]');
    expect(forms).toContain('<build-intensity>');
    expect(forms).toContain('</build-intensity>');
    expect(forms).toHaveLength(INLINE_SPEECH_TAGS.length + 2 * WRAPPING_SPEECH_TAGS.length);
  });

  it('finds and strips tags case-insensitively, leaving other brackets alone', () => {
    const text = 'Hi [PAUSE] <soft>there</soft> [not a tag] a < b';
    expect(findSpeechTags(text)).toEqual([
      [3, 10],
      [11, 17],
      [22, 29],
    ]);
    expect(stripSpeechTags(text)).toBe('Hi  there [not a tag] a < b');
  });

  it('finds tags at the right place after characters whose lower case is longer (İ → i̇)', () => {
    const text = 'İstanbul [PAUSE] İzmir <soft>ok</soft>';
    expect('İ'.toLowerCase().length).toBe(2);
    expect(findSpeechTags(text)).toEqual([
      [9, 16],
      [23, 29],
      [31, 38],
    ]);
    expect(stripSpeechTags(text)).toBe('İstanbul  İzmir ok');
  });

  it('holds back a possibly partial tag until it completes', () => {
    const chunker = new SpeechTagChunker();
    expect(chunker.push('Well [pau')).toBe('Well ');
    expect(chunker.pending).toBe('[pau');
    expect(chunker.push('se] then <whi')).toBe('[pause] then ');
    expect(chunker.push('sper>quiet</sof')).toBe('<whisper>quiet');
    expect(chunker.push('t> end')).toBe('</soft> end');
    expect(chunker.flush()).toBe('');
  });

  it('lets go as soon as the tail cannot be a tag, and at flush', () => {
    const chunker = new SpeechTagChunker();
    expect(chunker.push('a [')).toBe('a ');
    expect(chunker.push(' b')).toBe('[ b');
    expect(chunker.push('x <')).toBe('x ');
    expect(chunker.push('3')).toBe('<3');
    expect(chunker.push('[pauses')).toBe('[pauses');
    expect(chunker.push(' [sig')).toBe(' ');
    expect(chunker.flush()).toBe('[sig');
    expect(chunker.pending).toBe('');
  });

  it('keeps extra tags whole when told about them', () => {
    const chunker = new SpeechTagChunker({ extraInlineTags: ['yawn'] });
    expect(chunker.push('oh [yaw')).toBe('oh ');
    expect(chunker.push('n]!')).toBe('[yawn]!');
  });

  it('tag sets are built once yet follow the options: copies out, extra names read each time', () => {
    const forms = speechTagForms();
    forms.length = 0; // a caller's copy; the chunker's set is not affected
    expect(new SpeechTagChunker().push('a [pau')).toBe('a ');
    expect(speechTagForms()).toContain('[pause]');
    const options = { extraInlineTags: ['yawn'], extraWrappingTags: ['Robot'] };
    expect(speechTagForms(options)).toEqual(expect.arrayContaining(['[yawn]', '<robot>', '</robot>']));
    expect(findSpeechTags('x [yawn] <ROBOT>y</robot>', options)).toEqual([
      [2, 8],
      [9, 16],
      [17, 25],
    ]);
    // The same options object with another name: the new set, not a stale one.
    options.extraInlineTags[0] = 'snore';
    expect(findSpeechTags('x [yawn] [snore]', options)).toEqual([[9, 16]]);
    expect(new SpeechTagChunker(options).push('z [yaw')).toBe('z [yaw');
    expect(new SpeechTagChunker(options).push('z [sno')).toBe('z ');
  });

  it('holds back an uppercase partial tag and compares only the tail', () => {
    const chunker = new SpeechTagChunker();
    expect(chunker.push('Hello [PAU')).toBe('Hello ');
    expect(chunker.push('SE] there <WHISP')).toBe('[PAUSE] there ');
    expect(chunker.flush()).toBe('<WHISP');
  });

  it('property: for random texts and random splits, output concatenates to input and never cuts a tag', () => {
    const random = prng(20261126);
    let tagsSeen = 0;
    for (let round = 0; round < 2000; round++) {
      const text = randomText(random);
      const pieces = randomSplit(text, random);
      const chunks = chunk(pieces);
      expect(chunks.join('')).toBe(text);
      const spans = findSpeechTags(text);
      tagsSeen += spans.length;
      let offset = 0;
      for (const c of chunks.slice(0, -1)) {
        offset += c.length;
        for (const [start, end] of spans) {
          if (offset > start && offset < end) {
            throw new Error(
              `chunk boundary ${offset} inside tag ${text.slice(start, end)} of ${JSON.stringify(text)}`,
            );
          }
        }
      }
      // Every tag reaches the output inside a single chunk.
      for (const [start, end] of spans) {
        const tag = text.slice(start, end);
        expect(chunks.some((c) => c.includes(tag))).toBe(true);
      }
    }
    expect(tagsSeen).toBeGreaterThan(1000);
  });

  it('holds back at most one tag length of text', () => {
    const random = prng(7);
    const longest = Math.max(...speechTagForms().map((f) => f.length));
    const chunker = new SpeechTagChunker();
    for (let i = 0; i < 500; i++) {
      chunker.push(randomText(random));
      expect(chunker.pending.length).toBeLessThan(longest);
    }
  });
});
