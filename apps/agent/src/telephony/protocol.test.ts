import { mulawDecode, mulawEncode } from '@x/audio';
import { describe, expect, it } from 'vitest';
import { clearMessage, decodePayload, markMessage, mediaMessage, parseInbound } from './protocol.js';

describe('media stream messages', () => {
  it('parses the events a phone provider sends', () => {
    expect(parseInbound('{"event":"connected","protocol":"Call","version":"1.0.0"}')).toEqual({
      kind: 'message',
      message: { event: 'connected', protocol: 'Call', version: '1.0.0' },
    });
    const start = parseInbound(
      JSON.stringify({
        event: 'start',
        sequenceNumber: '1',
        start: {
          streamSid: 'MZ1',
          callSid: 'CA1',
          mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
        },
      }),
    );
    expect(start.kind === 'message' && start.message.event === 'start' && start.message.streamSid).toBe(
      'MZ1',
    );
    const media = parseInbound(
      '{"event":"media","streamSid":"MZ1","media":{"track":"inbound","payload":"//8="}}',
    );
    expect(media.kind === 'message' && media.message.event === 'media' && media.message.media.payload).toBe(
      '//8=',
    );
    expect(parseInbound('{"event":"mark","streamSid":"MZ1","mark":{"name":"m1"}}').kind).toBe('message');
    expect(parseInbound('{"event":"stop","streamSid":"MZ1","stop":{}}').kind).toBe('message');
  });

  it('ignores unknown events and names what is wrong with bad ones', () => {
    expect(parseInbound('{"event":"something_new"}')).toEqual({ kind: 'ignored', event: 'something_new' });
    expect(parseInbound('nope')).toEqual({ kind: 'invalid', reason: 'not JSON' });
    expect(parseInbound('[1]')).toEqual({ kind: 'invalid', reason: 'no "event" field' });
    expect(parseInbound('{"event":"start","start":{}}')).toEqual({
      kind: 'invalid',
      reason: 'start without streamSid',
    });
    expect(parseInbound('{"event":"media","media":{}}')).toEqual({
      kind: 'invalid',
      reason: 'media without media.payload',
    });
    expect(parseInbound('{"event":"mark","mark":{}}')).toEqual({
      kind: 'invalid',
      reason: 'mark without mark.name',
    });
  });

  it('builds outbound media, mark and clear with the stream id', () => {
    const pcm = Int16Array.from([0, 1000, -1000, 32000]);
    const message = mediaMessage('MZ1', mulawEncode(pcm));
    expect(message).toEqual({ event: 'media', streamSid: 'MZ1', media: { payload: expect.any(String) } });
    if (message.event !== 'media') throw new Error('not media');
    expect(Array.from(mulawDecode(decodePayload(message.media.payload)))).toEqual(
      Array.from(mulawDecode(mulawEncode(pcm))),
    );
    expect(markMessage('MZ1', 'end')).toEqual({ event: 'mark', streamSid: 'MZ1', mark: { name: 'end' } });
    expect(clearMessage('MZ1')).toEqual({ event: 'clear', streamSid: 'MZ1' });
  });
});
