import { isConfigurationError } from '@x/core';
import { afterEach, describe, expect, it } from 'vitest';
import { httpBaseURL, realtimeURL, resolveXAIRealtimeConfig } from './config.js';
import { XAIRealtime } from './index.js';

function configError(run: () => unknown): { option: string; message: string } {
  try {
    run();
  } catch (error) {
    if (isConfigurationError(error)) return { option: error.option, message: error.message };
    throw error;
  }
  throw new Error('expected a ConfigurationError');
}

describe('XAIRealtimeConfig', () => {
  const savedKey = process.env.XAI_API_KEY;
  afterEach(() => {
    if (savedKey === undefined) delete process.env.XAI_API_KEY;
    else process.env.XAI_API_KEY = savedKey;
  });

  it('has the reference defaults', () => {
    const config = resolveXAIRealtimeConfig();
    expect(config).toMatchObject({
      model: 'grok-voice-fast-1.0',
      voice: 'Ara',
      instructions: undefined,
      turnDetection: { type: 'server_vad', threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 200 },
      modalities: ['text', 'audio'],
      enableWebSearch: false,
      enableXSearch: false,
      allowedXHandles: undefined,
      collectionId: undefined,
      maxNumResults: 10,
      audioFormat: { type: 'pcm', sampleRate: 24_000 },
      sampleRate: 24_000,
      baseURL: 'wss://api.x.ai/v1',
      handshakeTimeoutMs: 10_000,
      inputBatchMs: 40,
      responseTimeoutMs: 15_000,
      maxReplayInputMs: 30_000,
      resamplerQuality: 'voice',
    });
    expect(config.connectOptions).toEqual({ maxRetry: 3, retryIntervalMs: 2000, timeoutMs: 10_000 });
  });

  it('accepts voices case-insensitively and names the allowed ones otherwise', () => {
    expect(resolveXAIRealtimeConfig({ voice: 'eve' }).voice).toBe('Eve');
    expect(resolveXAIRealtimeConfig({ voice: 'LEO' }).voice).toBe('Leo');
    const error = configError(() => resolveXAIRealtimeConfig({ voice: 'Bob' }));
    expect(error.option).toBe('voice');
    expect(error.message).toContain('"Ara", "Rex", "Sal", "Eve", "Leo"');
  });

  it('validates turn detection (null or type null = manual)', () => {
    expect(resolveXAIRealtimeConfig({ turnDetection: null }).turnDetection).toBeNull();
    expect(resolveXAIRealtimeConfig({ turnDetection: { type: null } }).turnDetection).toBeNull();
    expect(resolveXAIRealtimeConfig({ turnDetection: { threshold: 0.8 } }).turnDetection).toEqual({
      type: 'server_vad',
      threshold: 0.8,
      prefixPaddingMs: 300,
      silenceDurationMs: 200,
    });
    expect(configError(() => resolveXAIRealtimeConfig({ turnDetection: { threshold: 0.95 } })).option).toBe(
      'turnDetection.threshold',
    );
    expect(
      configError(() => resolveXAIRealtimeConfig({ turnDetection: { silenceDurationMs: -1 } })).option,
    ).toBe('turnDetection.silenceDurationMs');
    expect(
      configError(() => resolveXAIRealtimeConfig({ turnDetection: { prefixPaddingMs: 10.5 } })).option,
    ).toBe('turnDetection.prefixPaddingMs');
    expect(
      configError(() => resolveXAIRealtimeConfig({ turnDetection: { type: 'semantic_vad' as 'server_vad' } }))
        .option,
    ).toBe('turnDetection.type');
    expect(
      configError(() => resolveXAIRealtimeConfig({ turnDetection: { silence_duration_ms: 5 } as never }))
        .option,
    ).toBe('turnDetection.silence_duration_ms');
  });

  it('validates the audio format: pcm at the xAI rates, G.711 at 8 kHz only', () => {
    for (const rate of [8000, 16000, 22050, 24000, 32000, 44100, 48000]) {
      expect(resolveXAIRealtimeConfig({ audioFormat: { type: 'pcm', sampleRate: rate } }).sampleRate).toBe(
        rate,
      );
    }
    expect(resolveXAIRealtimeConfig({ audioFormat: { type: 'pcmu' } }).sampleRate).toBe(8000);
    expect(resolveXAIRealtimeConfig({ audioFormat: { type: 'pcma' } }).audioFormat).toEqual({ type: 'pcma' });
    const rate = configError(() =>
      resolveXAIRealtimeConfig({ audioFormat: { type: 'pcm', sampleRate: 11025 } }),
    );
    expect(rate.option).toBe('audioFormat.sampleRate');
    expect(rate.message).toContain('48000');
    const g711 = configError(() =>
      resolveXAIRealtimeConfig({ audioFormat: { type: 'pcmu', sampleRate: 16000 } as never }),
    );
    expect(g711.option).toBe('audioFormat.sampleRate');
    expect(
      configError(() => resolveXAIRealtimeConfig({ audioFormat: { type: 'opus' } as never })).option,
    ).toBe('audioFormat.type');
  });

  it('validates the rest and rejects unknown options', () => {
    expect(configError(() => resolveXAIRealtimeConfig({ modalities: ['video' as 'text'] })).option).toBe(
      'modalities',
    );
    expect(configError(() => resolveXAIRealtimeConfig({ modalities: [] })).option).toBe('modalities');
    expect(configError(() => resolveXAIRealtimeConfig({ maxNumResults: 0 })).option).toBe('maxNumResults');
    expect(configError(() => resolveXAIRealtimeConfig({ allowedXHandles: [''] })).option).toBe(
      'allowedXHandles',
    );
    expect(configError(() => resolveXAIRealtimeConfig({ collectionId: ' ' })).option).toBe('collectionId');
    expect(configError(() => resolveXAIRealtimeConfig({ enableWebSearch: 'yes' as never })).option).toBe(
      'enableWebSearch',
    );
    expect(configError(() => resolveXAIRealtimeConfig({ model: 'grok voice' })).option).toBe('model');
    expect(configError(() => resolveXAIRealtimeConfig({ baseURL: 'ftp://x' })).option).toBe('baseURL');
    expect(configError(() => resolveXAIRealtimeConfig({ handshakeTimeoutMs: 0 })).option).toBe(
      'handshakeTimeoutMs',
    );
    expect(configError(() => resolveXAIRealtimeConfig({ inputBatchMs: 5 })).option).toBe('inputBatchMs');
    for (const bad of [50, -1, 700_000, Number.POSITIVE_INFINITY, '1000' as never]) {
      const error = configError(() => resolveXAIRealtimeConfig({ responseTimeoutMs: bad }));
      expect(error.option).toBe('responseTimeoutMs');
      expect(error.message).toContain('0 (off) or a number of ms from 100 to 600000');
    }
    expect(resolveXAIRealtimeConfig({ responseTimeoutMs: 0 }).responseTimeoutMs).toBe(0);
    expect(resolveXAIRealtimeConfig({ responseTimeoutMs: 2500 }).responseTimeoutMs).toBe(2500);
    expect(configError(() => resolveXAIRealtimeConfig({ maxReplayInputMs: 500 })).option).toBe(
      'maxReplayInputMs',
    );
    expect(resolveXAIRealtimeConfig({ maxReplayInputMs: 5000 }).maxReplayInputMs).toBe(5000);
    expect(configError(() => resolveXAIRealtimeConfig({ connectOptions: { maxRetry: -1 } })).option).toBe(
      'connectOptions.maxRetry',
    );
    expect(configError(() => resolveXAIRealtimeConfig({ turn_detection: null } as never)).option).toBe(
      'turn_detection',
    );
  });

  it("validates resamplerQuality ('voice' by default) and hands it to the user-audio resampler", () => {
    expect(resolveXAIRealtimeConfig({ resamplerQuality: 'high' }).resamplerQuality).toBe('high');
    for (const bad of ['best', 'High', 3]) {
      const error = configError(() => resolveXAIRealtimeConfig({ resamplerQuality: bad as never }));
      expect(error.option).toBe('resamplerQuality');
      expect(error.message).toContain('"voice", "fast", "high"');
    }
    expect(new XAIRealtime({ apiKey: 'k' }).resamplerQuality).toBe('voice');
    expect(new XAIRealtime({ apiKey: 'k', resamplerQuality: 'high' }).resamplerQuality).toBe('high');
  });

  it('needs an API key (option or XAI_API_KEY) and never shows it', () => {
    delete process.env.XAI_API_KEY;
    const error = configError(() => new XAIRealtime());
    expect(error.option).toBe('apiKey');
    expect(error.message).toContain('XAI_API_KEY');
    process.env.XAI_API_KEY = 'xai-from-env-123456';
    expect(new XAIRealtime().url).toBe('wss://api.x.ai/v1/realtime?model=grok-voice-fast-1.0');
  });

  it('builds the connect URL with the model in the query, keeping query flags of the base URL', () => {
    expect(realtimeURL({ baseURL: 'wss://api.x.ai/v1', model: 'grok-voice-latest' })).toBe(
      'wss://api.x.ai/v1/realtime?model=grok-voice-latest',
    );
    expect(realtimeURL({ baseURL: 'http://127.0.0.1:9/v1/?sim_speed=max', model: 'm' })).toBe(
      'ws://127.0.0.1:9/v1/realtime?sim_speed=max&model=m',
    );
    expect(httpBaseURL('wss://api.x.ai/v1?x=1')).toBe('https://api.x.ai/v1');
  });
});
