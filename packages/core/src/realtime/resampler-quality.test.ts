import { createAudioFrame } from '@x/audio';
import { afterEach, describe, expect, it } from 'vitest';
import { isConfigurationError } from '../errors/errors.js';
import type { RealtimeConversationEntry } from './conversation.js';
import {
  DEFAULT_REALTIME_RESAMPLER_QUALITY,
  RealtimeModel,
  type RealtimeModelOptions,
} from './realtime-model.js';

/** The smallest provider: connects at once and keeps the user audio it is asked to send. */
class CapturingModel extends RealtimeModel {
  readonly sentAudio: Int16Array[] = [];
  constructor(options: Partial<RealtimeModelOptions> = {}) {
    super({ provider: 'test', model: 'm', inputSampleRate: 24_000, outputSampleRate: 24_000, ...options });
  }
  protected async openConnection(): Promise<void> {}
  protected async closeConnection(): Promise<void> {}
  protected sendAudio(samples: Int16Array): void {
    this.sentAudio.push(samples.slice());
  }
  protected sendCommit(): void {}
  protected sendUserMessage(): void {}
  protected sendCreateResponse(): void {}
  protected sendCancelResponse(): void {}
  protected sendFunctionCallOutput(): void {}
  protected sendSessionUpdate(): void {}
  protected restoreConversation(_entries: readonly RealtimeConversationEntry[]): void {}
}

const open: RealtimeModel[] = [];
afterEach(async () => {
  for (const model of open.splice(0)) await model.close();
});

/** Level (dB relative to the input tone) of what reached the wire for 1 s of a 48 kHz tone at `hz`. */
async function wireGainDb(hz: number, options: Partial<RealtimeModelOptions>): Promise<number> {
  const model = new CapturingModel(options);
  open.push(model);
  await model.connect();
  const amplitude = 10_000;
  for (let at = 0; at < 48_000; at += 960) {
    const data = new Int16Array(960);
    for (let i = 0; i < 960; i++)
      data[i] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * (at + i)) / 48_000));
    model.pushAudio(createAudioFrame(data, 48_000));
  }
  const wire = new Int16Array(model.sentAudio.reduce((n, s) => n + s.length, 0));
  let offset = 0;
  for (const s of model.sentAudio) {
    wire.set(s, offset);
    offset += s.length;
  }
  // The middle half (no edge effects).
  let sum = 0;
  const from = Math.floor(wire.length / 4);
  const to = Math.floor((wire.length * 3) / 4);
  for (let i = from; i < to; i++) sum += wire[i]! * wire[i]!;
  return 20 * Math.log10(Math.sqrt(sum / (to - from)) / (amplitude / Math.SQRT2));
}

describe('RealtimeModel resamplerQuality', () => {
  it("defaults to 'voice': flat through the speech band, aliases into it ≥ 75 dB down", async () => {
    expect(DEFAULT_REALTIME_RESAMPLER_QUALITY).toBe('voice');
    const model = new CapturingModel();
    open.push(model);
    expect(model.resamplerQuality).toBe('voice');
    expect(Math.abs(await wireGainDb(4000, {}))).toBeLessThan(0.05);
    expect(Math.abs(await wireGainDb(9600, {}))).toBeLessThan(0.05);
    // 11.5 kHz sits in the transition band (9.6–14.4 kHz at 48 → 24 kHz): attenuated a little.
    const at11_5 = await wireGainDb(11_500, {});
    expect(at11_5).toBeLessThan(-1);
    expect(at11_5).toBeGreaterThan(-6);
    // 15 kHz would fold to 9 kHz, inside the passband: rejected.
    expect(await wireGainDb(15_000, {})).toBeLessThan(-75);
  });

  it("'fast' reaches the user-audio resampler (nothing above the wire Nyquist folds back)", async () => {
    expect(await wireGainDb(11_500, { resamplerQuality: 'fast' })).toBeLessThan(-6);
    expect(await wireGainDb(13_000, { resamplerQuality: 'fast' })).toBeLessThan(-75);
    expect(await wireGainDb(13_000, {})).toBeGreaterThan(-30); // 'voice' lets it fold to 11 kHz
  });

  it("'high' reaches the user-audio resampler (flat to 90 % of the wire Nyquist)", async () => {
    expect(await wireGainDb(11_000, { resamplerQuality: 'high' })).toBeGreaterThan(-0.2);
    const model = new CapturingModel({ resamplerQuality: 'high' });
    open.push(model);
    expect(model.resamplerQuality).toBe('high');
  });

  it('anything else is a ConfigurationError naming the option and the allowed values', () => {
    for (const value of ['best', 'FAST', 1]) {
      let error: unknown;
      try {
        new CapturingModel({ resamplerQuality: value as never });
      } catch (e) {
        error = e;
      }
      expect(isConfigurationError(error)).toBe(true);
      expect((error as { option: string }).option).toBe('resamplerQuality');
      expect((error as Error).message).toMatch(/voice/);
      expect((error as Error).message).toMatch(/fast/);
      expect((error as Error).message).toMatch(/high/);
    }
  });
});
