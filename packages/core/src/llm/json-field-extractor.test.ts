import { describe, expect, it } from 'vitest';
import { JsonStringFieldExtractor } from './json-field-extractor.js';

/** Feeds `json` in pieces of `size` and returns every delta. */
function feed(
  json: string,
  size: number,
  field = 'response_to_user',
): { deltas: string[]; x: JsonStringFieldExtractor } {
  const x = new JsonStringFieldExtractor(field);
  const deltas: string[] = [];
  for (let i = 0; i < json.length; i += size) deltas.push(x.push(json.slice(i, i + size)));
  return { deltas, x };
}

describe('JsonStringFieldExtractor', () => {
  const value = 'Say "hi"\\ to Zoë 😀\n\ttab/slash — done';
  const json = JSON.stringify({ next_step: 'greet', response_to_user: value, extra: { a: [1, 2] } });
  const escaped = JSON.stringify({ response_to_user: value }, null, 0).replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

  it('decodes the field for every chunk size, including escapes split across chunks', () => {
    for (const source of [json, escaped]) {
      for (let size = 1; size <= source.length; size++) {
        const { deltas, x } = feed(source, size);
        expect(deltas.join(''), `size ${size}`).toBe(value);
        expect(x.text).toBe(value);
        expect(x.complete).toBe(true);
        // Every delta is well-formed text: no lone surrogate at either end.
        for (const delta of deltas) {
          expect(delta.length === 0 || !/[\ud800-\udbff]$/.test(delta), `size ${size}`).toBe(true);
          expect(/^[\udc00-\udfff]/.test(delta), `size ${size}`).toBe(false);
        }
      }
    }
  });

  it('streams the text as it arrives, before the object is complete', () => {
    const x = new JsonStringFieldExtractor('response_to_user');
    expect(x.push('{"response_to_user": "Hel')).toBe('Hel');
    expect(x.found).toBe(true);
    expect(x.complete).toBe(false);
    expect(x.push('lo, \\')).toBe('lo, ');
    expect(x.push('u00e9')).toBe('é');
    expect(x.push('!", "x": 1}')).toBe('!');
    expect(x.complete).toBe(true);
  });

  it('ignores the name inside other strings, nested objects and arrays', () => {
    const tricky = JSON.stringify({
      note: 'the "response_to_user" field',
      nested: { response_to_user: 'not me' },
      list: [{ response_to_user: 'nor me' }, 'response_to_user'],
      response_to_user: 'me',
      later: { response_to_user: 'too late' },
    });
    for (const size of [1, 3, 7, tricky.length]) {
      expect(feed(tricky, size).deltas.join('')).toBe('me');
    }
  });

  it('handles whitespace, a non-string value and a missing field', () => {
    expect(feed('{ "response_to_user" :\n "spaced" }', 2).deltas.join('')).toBe('spaced');
    const nonString = feed('{"response_to_user": null, "b": "text"}', 4);
    expect(nonString.deltas.join('')).toBe('');
    expect(nonString.x.found).toBe(false);
    const missing = feed('{"a": "b"}', 1);
    expect(missing.x.found).toBe(false);
    expect(missing.x.text).toBe('');
  });

  it('extracts any named field, keys with escapes included', () => {
    expect(feed('{"say\\u0021": "x", "say!": "y"}', 1, 'say!').deltas.join('')).toBe('x');
  });
});
