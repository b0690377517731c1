import { isConfigurationError } from '@x/core';
import { describe, expect, it } from 'vitest';
import { XAISTT } from './xai-stt.js';

describe('XAISTT construction', () => {
  it('declares the wire format to the base and keeps the key out of its printable state', async () => {
    const key = 'secret-key-abcdef123456';
    const stt = new XAISTT({ apiKey: key, sampleRate: 8000, encoding: 'mulaw', endpointing: 200 });
    expect(stt.audioFormat).toEqual({ sampleRate: 8000, channels: 1 });
    expect(stt.provider).toBe('xai');
    expect(stt.capabilities).toMatchObject({ interimResults: true, lockedResults: true, diarization: false });
    expect(stt.url).toBe(
      'wss://api.x.ai/v1/stt?sample_rate=8000&encoding=mulaw&interim_results=true&endpointing=200&language=en&diarize=false&multichannel=false',
    );
    expect(JSON.stringify(stt.options)).not.toContain(key);
    expect(stt.url).not.toContain(key);
    expect(stt.state).toBe('idle');
    // Input at another rate goes through the 'voice' resampler unless asked otherwise.
    expect(stt.resamplerQuality).toBe('voice');
    expect(new XAISTT({ apiKey: key, resamplerQuality: 'high' }).resamplerQuality).toBe('high');
    await stt.close();
  });

  it('sends every channel when multichannel', async () => {
    const stt = new XAISTT({ apiKey: 'k-123456', multichannel: true, channels: 4 });
    expect(stt.audioFormat).toEqual({ sampleRate: 48000, channels: 4 });
    await stt.close();
  });

  it('validates connectOptions and base options with a ConfigurationError naming them', () => {
    const attempt = (options: object) => {
      try {
        new XAISTT({ apiKey: 'k-123456', ...options });
      } catch (error) {
        return isConfigurationError(error) ? error.option : 'other error';
      }
      return 'no error';
    };
    expect(attempt({ connectOptions: { maxRetry: -1 } })).toBe('connectOptions.maxRetry');
    expect(attempt({ connectOptions: { timeoutMs: 0 } })).toBe('connectOptions.timeoutMs');
    expect(attempt({ chunkMs: 0 })).toBe('chunkMs');
    expect(attempt({ maxBufferedAudioMs: -5 })).toBe('maxBufferedAudioMs');
    expect(attempt({ resamplerQuality: 'best' })).toBe('resamplerQuality');
  });
});
