import { describe, expect, it } from 'vitest';
import { type SSEEvent, SSEDecoder } from './sse.js';

const bytes = (text: string) => new TextEncoder().encode(text);

/** Feeds `chunks` in order and returns every event. */
function feed(chunks: Uint8Array[]): SSEEvent[] {
  const decoder = new SSEDecoder();
  return chunks.flatMap((chunk) => decoder.push(chunk));
}

/** The stream cut into pieces of `size` bytes (the last may be shorter). */
function pieces(all: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < all.length; i += size) out.push(all.slice(i, i + size));
  return out;
}

/** A deterministic pseudo-random cut of `all` into 1–`max` byte pieces. */
function randomPieces(all: Uint8Array, seed: number, max: number): Uint8Array[] {
  let state = seed;
  const out: Uint8Array[] = [];
  for (let i = 0; i < all.length; ) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const size = 1 + (state % max);
    out.push(all.slice(i, i + size));
    i += size;
  }
  return out;
}

const CHAT = [
  ': connected\n\n',
  'data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}\n\n',
  'data: {"choices":[{"index":0,"delta":{"content":"Crème brûlée, 3 €, 😀 ok"}}]}\n\n',
  ': keep-alive\n\n',
  'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n',
  'data: [DONE]\n\n',
].join('');
const CHAT_EVENTS: SSEEvent[] = [
  { event: null, data: '{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}' },
  { event: null, data: '{"choices":[{"index":0,"delta":{"content":"Crème brûlée, 3 €, 😀 ok"}}]}' },
  { event: null, data: '{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}' },
  { event: null, data: '[DONE]' },
];

describe('SSEDecoder', () => {
  it('parses whole events, skipping comment lines, with [DONE] as plain data', () => {
    expect(feed([bytes(CHAT)])).toEqual(CHAT_EVENTS);
  });

  it('gives the same events when fed one byte at a time', () => {
    expect(feed(pieces(bytes(CHAT), 1))).toEqual(CHAT_EVENTS);
  });

  it('gives the same events for any cut of the stream', () => {
    const all = bytes(CHAT);
    for (let seed = 1; seed <= 200; seed++) {
      expect(feed(randomPieces(all, seed, 1 + (seed % 40)))).toEqual(CHAT_EVENTS);
    }
  });

  it('decodes UTF-8 characters split across chunks at every byte', () => {
    const text = 'é€😀';
    const all = bytes(`data: ${text}\n\n`);
    for (let cut = 1; cut < all.length; cut++) {
      expect(feed([all.slice(0, cut), all.slice(cut)])).toEqual([{ event: null, data: text }]);
    }
  });

  it('accepts CRLF and lone CR line ends, including a CRLF split across chunks', () => {
    const crlf = CHAT.replaceAll('\n', '\r\n');
    expect(feed([bytes(crlf)])).toEqual(CHAT_EVENTS);
    expect(feed(pieces(bytes(crlf), 1))).toEqual(CHAT_EVENTS);
    const cr = CHAT.replaceAll('\n', '\r');
    expect(feed([bytes(cr)])).toEqual(CHAT_EVENTS);
    // "\r" ends one chunk and "\n" opens the next: one line end, not a line end and a blank line.
    expect(feed([bytes('data: a\r'), bytes('\ndata: b\r'), bytes('\n\r\n')])).toEqual([
      { event: null, data: 'a\nb' },
    ]);
  });

  it('joins multi-line data with \\n and keeps the event type', () => {
    expect(feed([bytes('event: error\ndata: {"error":\ndata:  "overloaded"}\n\n')])).toEqual([
      { event: 'error', data: '{"error":\n "overloaded"}' },
    ]);
  });

  it('follows the field rules: one optional space, no colon means an empty value, unknown fields ignored', () => {
    expect(feed([bytes('data:x\n\ndata:  y\n\ndata\n\nid: 7\nretry: 100\nfoo: bar\ndata: z\n\n')])).toEqual([
      { event: null, data: 'x' },
      { event: null, data: ' y' },
      { event: null, data: '' },
      { event: null, data: 'z' },
    ]);
  });

  it('dispatches nothing for a block without data, and resets the type after each event', () => {
    expect(feed([bytes('event: ping\n\n: comment\n\ndata: a\n\nevent: x\ndata: b\n\ndata: c\n\n')])).toEqual([
      { event: null, data: 'a' },
      { event: 'x', data: 'b' },
      { event: null, data: 'c' },
    ]);
  });

  it('holds an event until its blank line, and drops one the stream ends inside', () => {
    const decoder = new SSEDecoder();
    expect(decoder.push(bytes('data: one\n'))).toEqual([]);
    expect(decoder.push(bytes('\ndata: tw'))).toEqual([{ event: null, data: 'one' }]);
    expect(decoder.push(bytes('o\n'))).toEqual([]);
    expect(decoder.push(new Uint8Array(0))).toEqual([]);
    expect(decoder.push(bytes('\n'))).toEqual([{ event: null, data: 'two' }]);
    expect(decoder.push(bytes('data: three\n'))).toEqual([]);
  });

  it('keeps its own copy of an unfinished line (the caller may reuse its buffer)', () => {
    const decoder = new SSEDecoder();
    const buffer = bytes('data: abc');
    expect(decoder.push(buffer)).toEqual([]);
    buffer.fill(0x78); // "xxxxxxxxx"
    expect(decoder.push(bytes('def\n\n'))).toEqual([{ event: null, data: 'abcdef' }]);
  });
});
