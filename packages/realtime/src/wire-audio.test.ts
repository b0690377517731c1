import { mulawDecode, mulawEncode } from '@x/audio';
import { describe, expect, it } from 'vitest';
import { encodeInputAudio, OutputAudioDecoder, wireAudioFormat } from './wire-audio.js';

describe('wire audio', () => {
  it('encodes PCM16 as little-endian base64', () => {
    const b64 = encodeInputAudio(new Int16Array([1, -2, 0x1234]), { type: 'pcm', sampleRate: 24_000 });
    expect([...Buffer.from(b64, 'base64')]).toEqual([1, 0, 0xfe, 0xff, 0x34, 0x12]);
  });

  it('encodes a view of a larger buffer from its own offset, leaving the samples as they were', () => {
    const all = new Int16Array([7, 0x0102, -1, 0x7f00, 9]);
    const view = all.subarray(1, 4);
    const b64 = encodeInputAudio(view, { type: 'pcm', sampleRate: 24_000 });
    expect([...Buffer.from(b64, 'base64')]).toEqual([2, 1, 0xff, 0xff, 0x00, 0x7f]);
    expect([...all]).toEqual([7, 0x0102, -1, 0x7f00, 9]);
  });

  it('encodes µ-law and A-law one byte per sample', () => {
    const pcm = new Int16Array([0, 1000, -1000, 32000]);
    const mu = Buffer.from(encodeInputAudio(pcm, { type: 'pcmu' }), 'base64');
    expect([...mu]).toEqual([...mulawEncode(pcm)]);
    expect(Buffer.from(encodeInputAudio(pcm, { type: 'pcma' }), 'base64')).toHaveLength(4);
  });

  it('decodes PCM deltas split mid-sample without losing alignment', () => {
    const samples = new Int16Array([100, -200, 300, -32768, 32767]);
    const bytes = Buffer.from(samples.buffer);
    const decoder = new OutputAudioDecoder({ type: 'pcm', sampleRate: 24_000 });
    const parts = [bytes.subarray(0, 3), bytes.subarray(3, 4), bytes.subarray(4, 7), bytes.subarray(7)];
    const out = parts.flatMap((part) => [...decoder.decode(part.toString('base64'))]);
    expect(out).toEqual([...samples]);
  });

  it('decodes µ-law deltas to PCM', () => {
    const codes = mulawEncode(new Int16Array([0, 5000, -5000]));
    const decoder = new OutputAudioDecoder({ type: 'pcmu' });
    expect([...decoder.decode(Buffer.from(codes).toString('base64'))]).toEqual([...mulawDecode(codes)]);
  });

  it('names the formats as xAI does', () => {
    expect(wireAudioFormat({ type: 'pcm', sampleRate: 16_000 })).toEqual({ type: 'audio/pcm', rate: 16_000 });
    expect(wireAudioFormat({ type: 'pcmu' })).toEqual({ type: 'audio/pcmu' });
    expect(wireAudioFormat({ type: 'pcma' })).toEqual({ type: 'audio/pcma' });
  });
});
