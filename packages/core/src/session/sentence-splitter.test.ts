import { describe, expect, it } from 'vitest';
import { isConfigurationError } from '../errors/errors.js';
import { SentenceSplitter } from './sentence-splitter.js';

/** Feeds `text` in pieces of `size` characters and returns every chunk, flush included. */
function split(text: string, size = 1, options = {}): string[] {
  const splitter = new SentenceSplitter(options);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(...splitter.push(text.slice(i, i + size)));
  out.push(...splitter.flush());
  return out;
}

describe('SentenceSplitter', () => {
  it('returns each sentence as soon as the next character shows it ended', () => {
    const splitter = new SentenceSplitter();
    expect(splitter.push('Hello there.')).toEqual([]);
    expect(splitter.push(' How')).toEqual(['Hello there.']);
    expect(splitter.push(' are you? I am')).toEqual(['How are you?']);
    expect(splitter.pending).toBe('I am');
    expect(splitter.push(' fine!')).toEqual([]);
    expect(splitter.flush()).toEqual(['I am fine!']);
    expect(splitter.flush()).toEqual([]);
  });

  it('gives the same sentences however the text is chunked', () => {
    const text =
      'It is 21.5 degrees in Paris today! Dr. Smith agrees, e.g. with J. R. Tolkien. "Really?" she asked. ' +
      'Steps: 1. Mix it. I am 42. Done';
    const expected = [
      'It is 21.5 degrees in Paris today!',
      'Dr. Smith agrees, e.g. with J. R. Tolkien.',
      '"Really?" she asked.',
      'Steps: 1. Mix it.',
      'I am 42.',
      'Done',
    ];
    for (const size of [1, 2, 3, 7, 1000]) expect(split(text, size)).toEqual(expected);
  });

  it('does not end a chunk before minSentenceChars', () => {
    expect(split('Hi! Ok. How can I help you today?')).toEqual(['Hi! Ok. How can I help you today?']);
    expect(split('Hi! Yes. How can I help?', 1, { minSentenceChars: 2 })).toEqual([
      'Hi!',
      'Yes.',
      'How can I help?',
    ]);
  });

  it('cuts long sentences at a clause mark, or a space, past maxSentenceChars', () => {
    const long = 'one two three four, five six seven eight nine ten eleven twelve';
    expect(split(long, 1, { maxSentenceChars: 30 })).toEqual([
      'one two three four,',
      'five six seven eight nine ten',
      'eleven twelve',
    ]);
  });

  it('splits at line breaks and after CJK full stops', () => {
    expect(split('First line here\nSecond line here')).toEqual(['First line here', 'Second line here']);
    expect(split('今天天气很好。我们去公园吧！', 1, { minSentenceChars: 2 })).toEqual([
      '今天天气很好。',
      '我们去公园吧！',
    ]);
  });

  it('never splits a speech tag nor a wrapped stretch of text', () => {
    const text = 'Okay then. <whisper>This is secret. Very secret.</whisper> [pause] Back to normal. Right.';
    const expected = [
      'Okay then.',
      '<whisper>This is secret. Very secret.</whisper> [pause] Back to normal.',
      'Right.',
    ];
    for (const size of [1, 4, 1000]) expect(split(text, size)).toEqual(expected);
    // An inline tag right after a sentence end stays whole at the start of the next sentence.
    expect(split('Well, hello there. [laugh] That is funny.')).toEqual([
      'Well, hello there.',
      '[laugh] That is funny.',
    ]);
  });

  it('validates its options', () => {
    for (const options of [{ minSentenceChars: 0 }, { maxSentenceChars: 3 }, { minSentenceChars: 1.5 }]) {
      let caught: unknown;
      try {
        new SentenceSplitter(options);
      } catch (error) {
        caught = error;
      }
      expect(isConfigurationError(caught)).toBe(true);
    }
  });
});
