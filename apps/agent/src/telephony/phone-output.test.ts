import { createAudioFrame, mulawDecode, rms } from '@x/audio';
import { describe, expect, it } from 'vitest';
import { PhoneAudioOutput } from './phone-output.js';
import { decodePayload, type OutboundMessage } from './protocol.js';

describe('PhoneAudioOutput', () => {
  it('sends agent audio as 8 kHz µ-law media, a mark at the end, and clear only while playing', async () => {
    const sent: OutboundMessage[] = [];
    const output = new PhoneAudioOutput('MZ9', (m) => sent.push(m));
    // 100 ms of a 440 Hz tone at 24 kHz, in 20 ms frames.
    const tone = Int16Array.from({ length: 2400 }, (_, i) =>
      Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 24000)),
    );
    for (let i = 0; i < tone.length; i += 480) output.push(createAudioFrame(tone.slice(i, i + 480), 24000));
    output.flush();
    const media = sent.filter((m) => m.event === 'media');
    expect(media.length).toBeGreaterThan(0);
    expect(sent.every((m) => m.streamSid === 'MZ9')).toBe(true);
    const pcm = media.flatMap((m) =>
      m.event === 'media' ? Array.from(mulawDecode(decodePayload(m.media.payload))) : [],
    );
    expect(pcm.length).toBeGreaterThan(780); // ~800 samples at 8 kHz
    expect(pcm.length).toBeLessThanOrEqual(800);
    expect(rms(Int16Array.from(pcm.slice(100, 700)))).toBeCloseTo(rms(tone.subarray(300, 2100)), 1);
    expect(sent.at(-1)).toEqual({
      event: 'mark',
      streamSid: 'MZ9',
      mark: { name: expect.stringMatching(/^agent-0-end-/) },
    });
    // Still playing (paced in real time): a barge-in clears the provider's buffer.
    expect(output.playing).toBe(true);
    output.interrupt();
    expect(sent.at(-1)).toEqual({ event: 'clear', streamSid: 'MZ9' });
    expect((await output.waitForPlayout()).interrupted).toBe(true);
    // Nothing playing: no clear.
    const count = sent.length;
    output.interrupt();
    expect(sent.length).toBe(count);
    output.close();
  });
});
