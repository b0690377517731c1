import { describe, expect, it } from 'vitest';
import { parseServerEvent, serializeAudioAppend, serializeClientEvent } from './protocol.js';

describe('parseServerEvent', () => {
  it('validates known events', () => {
    expect(
      parseServerEvent(
        '{"type":"response.output_audio.delta","response_id":"r","item_id":"i","delta":"AAA="}',
      ),
    ).toEqual({
      kind: 'event',
      event: { type: 'response.output_audio.delta', response_id: 'r', item_id: 'i', delta: 'AAA=' },
    });
    const done = parseServerEvent(
      JSON.stringify({
        type: 'response.done',
        response: {
          id: 'r1',
          status: 'completed',
          output: [],
          usage: { input_tokens: 3, output_tokens: 4, total_tokens: 7 },
        },
      }),
    );
    expect(done.kind).toBe('event');
  });

  it('maps older event names onto the current ones', () => {
    const parsed = parseServerEvent('{"type":"response.audio_transcript.delta","delta":"hi"}');
    expect(parsed).toEqual({
      kind: 'event',
      event: { type: 'response.output_audio_transcript.delta', delta: 'hi' },
    });
  });

  it('passes unknown events through as unknown (tolerated)', () => {
    expect(parseServerEvent('{"type":"sim.unknown_event","x":1}')).toEqual({
      kind: 'unknown',
      type: 'sim.unknown_event',
      raw: { type: 'sim.unknown_event', x: 1 },
    });
  });

  it('reports malformed frames and known events with wrong fields as invalid, never throwing', () => {
    expect(parseServerEvent('not json{')).toMatchObject({ kind: 'invalid', reason: 'not JSON' });
    expect(parseServerEvent('[1,2]')).toMatchObject({ kind: 'invalid', reason: 'not a JSON object' });
    expect(parseServerEvent('{"no":"type"}')).toMatchObject({ kind: 'invalid', reason: 'no "type"' });
    expect(parseServerEvent('{"type":"response.output_audio.delta","delta":42}')).toMatchObject({
      kind: 'invalid',
      type: 'response.output_audio.delta',
      reason: 'response.output_audio.delta.delta must be a string',
    });
    expect(parseServerEvent('{"type":"response.created","response":{}}')).toMatchObject({
      kind: 'invalid',
      reason: 'response.created.response.id must be a string',
    });
    expect(parseServerEvent('{"type":"error","error":{"code":"x"}}')).toMatchObject({ kind: 'invalid' });
  });
});

describe('serializeAudioAppend', () => {
  it('writes exactly what serializeClientEvent writes for an append', () => {
    for (const bytes of [
      [],
      [0],
      [1, 2],
      [255, 254, 253],
      Array.from({ length: 3840 }, (_, i) => (i * 37) & 255),
    ]) {
      const audio = Buffer.from(bytes).toString('base64');
      const text = serializeAudioAppend(audio);
      expect(text).toBe(serializeClientEvent({ type: 'input_audio_buffer.append', audio }));
      expect(JSON.parse(text)).toEqual({ type: 'input_audio_buffer.append', audio });
    }
  });
});
