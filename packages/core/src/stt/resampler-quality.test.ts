import { type ResamplerQuality, resample } from '@x/audio';
import { describe, expect, it } from 'vitest';
import { isConfigurationError } from '../errors/errors.js';
import { DEFAULT_STT_RESAMPLER_QUALITY, STT, type STTBaseOptions } from './stt.js';
import { frames, tone } from './test-helpers.js';
import type { STTConnection, STTConnectionHandlers } from './types.js';

/** An STT at 16 kHz mono whose connection keeps every chunk it is sent. */
class RecordingSTT extends STT {
  readonly sent: Int16Array[] = [];

  constructor(options: Partial<STTBaseOptions> = {}) {
    super({ provider: 'rec', audioFormat: { sampleRate: 16_000, channels: 1 }, ...options });
  }

  protected override openConnection(_handlers: STTConnectionHandlers): Promise<STTConnection> {
    return Promise.resolve({
      sendAudio: (chunk: Int16Array) => {
        this.sent.push(chunk.slice());
      },
      finish: () => Promise.resolve(),
      close: () => {},
    });
  }

  sentSamples(): Int16Array {
    const out = new Int16Array(this.sent.reduce((n, c) => n + c.length, 0));
    let offset = 0;
    for (const chunk of this.sent) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

/** 48 kHz input with energy near the top of the 16 kHz band, where the presets differ. */
function input(): Int16Array {
  const a = tone(400, 48_000, 1, 1000, 0.2);
  const b = tone(400, 48_000, 1, 7000, 0.2);
  const out = new Int16Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! + b[i]!;
  return out;
}

async function sentFor(
  quality: ResamplerQuality | undefined,
): Promise<{ stt: RecordingSTT; sent: Int16Array }> {
  const stt = new RecordingSTT(quality === undefined ? {} : { resamplerQuality: quality });
  await stt.connect();
  for (const frame of frames(input(), 48_000, 1, 20)) stt.pushAudio(frame);
  // close() drains the resampler's tail and the partial chunk into the connection.
  await stt.close();
  return { stt, sent: stt.sentSamples() };
}

describe('STT resamplerQuality', () => {
  it("defaults to 'voice' and sends exactly what that preset makes of the input", async () => {
    expect(DEFAULT_STT_RESAMPLER_QUALITY).toBe('voice');
    const { stt, sent } = await sentFor(undefined);
    expect(stt.resamplerQuality).toBe('voice');
    // 400 ms pushed → 6400 samples at 16 kHz, the same as one call on the whole input.
    expect(sent.length).toBe(6400);
    expect(sent).toEqual(resample(input(), 48_000, 16_000, { quality: 'voice' }));
    const fast = await sentFor('fast');
    expect(fast.sent).toEqual(resample(input(), 48_000, 16_000, { quality: 'fast' }));
    expect(fast.sent).not.toEqual(sent);
  });

  it("uses 'high' when asked, which differs from 'fast' near the band edge", async () => {
    const high = await sentFor('high');
    expect(high.stt.resamplerQuality).toBe('high');
    expect(high.sent).toEqual(resample(input(), 48_000, 16_000, { quality: 'high' }));
    const fast = await sentFor('fast');
    expect(fast.sent.length).toBe(high.sent.length);
    expect(fast.sent).not.toEqual(high.sent);
  });

  it('rejects an unknown preset with a ConfigurationError naming the option and the values', () => {
    let error: unknown;
    try {
      new RecordingSTT({ resamplerQuality: 'medium' as ResamplerQuality });
    } catch (e) {
      error = e;
    }
    expect(isConfigurationError(error)).toBe(true);
    expect(String(error)).toMatch(/resamplerQuality/);
    expect(String(error)).toMatch(/"voice", "fast", "high"/);
  });
});
