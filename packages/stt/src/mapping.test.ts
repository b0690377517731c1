import { describe, expect, it } from 'vitest';
import { TranscriptMapper } from './mapping.js';
import { parseServerEvent, type TranscriptPartialEvent } from './protocol.js';

function partial(
  text: string,
  words: Array<[string, number, number]>,
  flags: { is_final?: boolean; speech_final?: boolean } = {},
  extra: Record<string, unknown> = {},
): TranscriptPartialEvent {
  const event = parseServerEvent(
    JSON.stringify({
      type: 'transcript.partial',
      text,
      words: words.map(([w, start, end]) => ({ text: w, start, end })),
      is_final: flags.is_final ?? false,
      speech_final: flags.speech_final ?? false,
      start: words[0]?.[1] ?? 0,
      duration: (words[words.length - 1]?.[2] ?? 0) - (words[0]?.[1] ?? 0),
      ...extra,
    }),
  );
  if (event.type !== 'transcript.partial') throw new Error('not a partial');
  return event;
}

describe('TranscriptMapper', () => {
  it('maps interim, locked and final events and converts seconds to milliseconds', () => {
    const mapper = new TranscriptMapper('en');
    const interim = mapper.map(partial('hello', [['hello', 0.5, 0.9]]));
    expect(interim).toMatchObject({
      type: 'interim',
      text: 'hello',
      startMs: 500,
      endMs: 900,
      language: 'en',
    });
    expect(interim?.words).toEqual([{ text: 'hello', startMs: 500, endMs: 900 }]);
    const locked = mapper.map(
      partial(
        'hello there',
        [
          ['hello', 0.5, 0.9],
          ['there', 1, 1.25],
        ],
        { is_final: true },
      ),
    );
    expect(locked).toMatchObject({ type: 'locked', text: 'hello there', startMs: 500, endMs: 1250 });
    const final = mapper.map(partial('friend', [['friend', 1.5, 2]], { is_final: true, speech_final: true }));
    expect(final).toMatchObject({ type: 'final', text: 'friend', startMs: 1500, endMs: 2000 });
  });

  it('cuts locked words from a final that repeats them (by word time), so nothing is duplicated', () => {
    const mapper = new TranscriptMapper(null);
    mapper.map(
      partial(
        'one two',
        [
          ['one', 0, 0.3],
          ['two', 0.4, 0.7],
        ],
        { is_final: true },
      ),
    );
    mapper.map(
      partial(
        'three four',
        [
          ['three', 0.8, 1],
          ['four', 1.1, 1.3],
        ],
        { is_final: true },
      ),
    );
    const final = mapper.map(
      partial(
        'one two three four five',
        [
          ['one', 0, 0.3],
          ['two', 0.4, 0.7],
          ['three', 0.8, 1],
          ['four', 1.1, 1.3],
          ['five', 1.4, 1.6],
        ],
        { is_final: true, speech_final: true },
      ),
    );
    expect(final).toMatchObject({ type: 'final', text: 'five', startMs: 1400, endMs: 1600 });
    expect(final?.words.map((w) => w.text)).toEqual(['five']);
    expect(final?.language).toBeUndefined();
  });

  it('keeps a repeated word that was spoken again after the locked part', () => {
    const mapper = new TranscriptMapper(null);
    mapper.map(partial('no', [['no', 0, 0.2]], { is_final: true }));
    const final = mapper.map(
      partial(
        'no no',
        [
          ['no', 0.5, 0.7],
          ['no', 0.8, 1],
        ],
        { is_final: true, speech_final: true },
      ),
    );
    expect(final?.text).toBe('no no');
  });

  it('cuts repeated locked words by text when the server sends no word times', () => {
    const mapper = new TranscriptMapper('en');
    mapper.map(partial('Hello, there', [], { is_final: true }));
    const final = mapper.map(
      partial('hello there general kenobi', [], { is_final: true, speech_final: true }),
    );
    expect(final?.text).toBe('general kenobi');
    // A new utterance starts clean.
    const next = mapper.map(partial('hello there', [], { is_final: true, speech_final: true }));
    expect(next?.text).toBe('hello there');
  });

  it('maps transcript.done to a final, and carries speaker, confidence and channel', () => {
    const mapper = new TranscriptMapper('en');
    const done = parseServerEvent(
      JSON.stringify({
        type: 'transcript.done',
        text: 'bye now',
        words: [
          { text: 'bye', start: 2, end: 2.2, confidence: 0.8, speaker: 1 },
          { text: 'now', start: 2.3, end: 2.5, confidence: 0.6, speaker: 1 },
        ],
        duration: 2.5,
        channel_index: 1,
      }),
    );
    if (done.type !== 'transcript.done') throw new Error('parse');
    const event = mapper.map(done);
    expect(event).toMatchObject({
      type: 'final',
      text: 'bye now',
      speaker: 1,
      channelIndex: 1,
      startMs: 2000,
      endMs: 2500,
    });
    expect(event?.confidence).toBeCloseTo(0.7, 10);
    expect(event?.words[1]).toEqual({ text: 'now', startMs: 2300, endMs: 2500, confidence: 0.6, speaker: 1 });
  });

  it('drops empty interim events but reports an empty final (it ends the utterance)', () => {
    const mapper = new TranscriptMapper('en');
    expect(mapper.map(partial('', []))).toBeNull();
    expect(mapper.map(partial('', [], { is_final: true, speech_final: true }))?.type).toBe('final');
  });

  it('keeps locked state per channel', () => {
    const mapper = new TranscriptMapper('en');
    mapper.map(
      partial(
        'left side',
        [
          ['left', 0, 0.2],
          ['side', 0.3, 0.5],
        ],
        { is_final: true },
        { channel_index: 0 },
      ),
    );
    const right = mapper.map(
      partial('right', [['right', 0.1, 0.4]], { is_final: true, speech_final: true }, { channel_index: 1 }),
    );
    expect(right?.text).toBe('right');
  });
});

describe('parseServerEvent', () => {
  it('tolerates unknown events and odd shapes', () => {
    expect(parseServerEvent('{"type":"sim.unknown_event","x":1}').type).toBe('unknown');
    expect(parseServerEvent('[1,2]').type).toBe('unknown');
    expect(parseServerEvent('{"type":"error","error":{"message":"bad"}}')).toEqual({
      type: 'error',
      message: 'bad',
    });
    const partialEvent = parseServerEvent(
      '{"type":"transcript.partial","words":[{"text":"a"},{"text":"b","start":1,"end":2}]}',
    );
    expect(partialEvent).toMatchObject({
      type: 'transcript.partial',
      text: '',
      is_final: false,
      speech_final: false,
    });
    if (partialEvent.type === 'transcript.partial')
      expect(partialEvent.words).toEqual([{ text: 'b', start: 1, end: 2 }]);
    expect(() => parseServerEvent('not json')).toThrow(SyntaxError);
  });
});
