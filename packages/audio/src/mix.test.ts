import { describe, expect, it } from 'vitest';
import { AudioFormatError, createAudioFrame, downmixToMono, remix, upmix } from './index.js';

describe('channel mixing', () => {
  it('downmixToMono averages channels (rounded) and leaves mono frames alone', () => {
    const stereo = createAudioFrame(new Int16Array([100, 200, -32768, -32767, 32767, 32767, 1, 2]), 16000, 2);
    const mono = downmixToMono(stereo);
    expect(mono.channels).toBe(1);
    expect(mono.sampleRate).toBe(16000);
    expect(Array.from(mono.data)).toEqual([150, -32767, 32767, 2]);
    expect(downmixToMono(mono)).toBe(mono);
    const three = createAudioFrame(new Int16Array([3, 6, 9, -1, -1, 0]), 8000, 3);
    expect(Array.from(downmixToMono(three).data)).toEqual([6, -1]);
  });

  it('averages round exactly like Math.round (halves up, negatives included) for 2, 3, 4 and 8 channels', () => {
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed;
    };
    const edge = [-32768, -32767, -2, -1, 0, 1, 2, 32766, 32767];
    for (const channels of [2, 3, 4, 8]) {
      const frames = 4000;
      const data = new Int16Array(frames * channels);
      for (let i = 0; i < data.length; i++) {
        data[i] = i < frames ? edge[next() % edge.length]! : (next() >>> 16) - 32768;
      }
      const got = downmixToMono(createAudioFrame(data, 16000, channels)).data;
      for (let f = 0; f < frames; f++) {
        let sum = 0;
        for (let c = 0; c < channels; c++) sum += data[f * channels + c]!;
        const want = Math.round(sum / channels) + 0; // + 0: Math.round(-0.5) is −0, an Int16Array holds 0
        if (got[f] !== want) expect(got[f], `${channels} ch, frame ${f}, sum ${sum}`).toBe(want);
      }
      if (channels % 2 === 0 && channels > 2) {
        // N → 2: output channel j averages input channels j, j+2, … (remix's other rounding path).
        const two = remix(createAudioFrame(data, 16000, channels), 2).data;
        for (let f = 0; f < frames; f++) {
          for (let j = 0; j < 2; j++) {
            let sum = 0;
            for (let c = j; c < channels; c += 2) sum += data[f * channels + c]!;
            const want = Math.round(sum / (channels / 2)) + 0;
            if (two[f * 2 + j] !== want) expect(two[f * 2 + j], `${channels} → 2, frame ${f}`).toBe(want);
          }
        }
      }
    }
  });

  it('upmix copies mono into N channels and refuses non-mono input', () => {
    const mono = createAudioFrame(new Int16Array([5, -7]), 24000);
    const up = upmix(mono, 3);
    expect(Array.from(up.data)).toEqual([5, 5, 5, -7, -7, -7]);
    expect(up.samplesPerChannel).toBe(2);
    expect(() => upmix(createAudioFrame(new Int16Array(4), 24000, 2), 4)).toThrowError(AudioFormatError);
    expect(() => upmix(mono, 0)).toThrowError(/channels/);
  });

  it('remix goes from any channel count to any other, explicitly', () => {
    const stereo = createAudioFrame(new Int16Array([1, 2, 3, 4]), 48000, 2);
    expect(remix(stereo, 2)).toBe(stereo);
    expect(Array.from(remix(stereo, 1).data)).toEqual([2, 4]); // (1+2)/2 = 1.5 → 2, (3+4)/2 = 3.5 → 4
    expect(Array.from(remix(stereo, 4).data)).toEqual([1, 2, 1, 2, 3, 4, 3, 4]);
    const quad = createAudioFrame(new Int16Array([10, 20, 30, 40]), 48000, 4);
    expect(Array.from(remix(quad, 2).data)).toEqual([20, 30]);
    expect(Array.from(remix(createAudioFrame(new Int16Array([9]), 8000), 2).data)).toEqual([9, 9]);
  });
});
