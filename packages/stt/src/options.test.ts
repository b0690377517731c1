import { isConfigurationError } from '@x/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildSTTUrl, resolveXAISTTOptions, type XAISTTOptions } from './options.js';

function configError(options: XAISTTOptions): { option: string; message: string } {
  try {
    resolveXAISTTOptions(options);
  } catch (error) {
    if (isConfigurationError(error)) return { option: error.option, message: error.message };
    throw error;
  }
  throw new Error('expected a ConfigurationError');
}

describe('XAISTT options', () => {
  let savedKey: string | undefined;
  beforeEach(() => {
    savedKey = process.env.XAI_API_KEY;
    delete process.env.XAI_API_KEY;
  });
  afterEach(() => {
    if (savedKey === undefined) delete process.env.XAI_API_KEY;
    else process.env.XAI_API_KEY = savedKey;
  });

  it('has the reference defaults and builds the URL with every option', () => {
    const { apiKey, resolved } = resolveXAISTTOptions({ apiKey: 'k-123456' });
    expect(apiKey).toBe('k-123456');
    expect(resolved).toEqual({
      sampleRate: 48000,
      encoding: 'pcm',
      interimResults: true,
      endpointing: 50,
      language: 'en',
      diarize: false,
      multichannel: false,
      channels: 1,
      baseURL: 'wss://api.x.ai/v1',
      resamplerQuality: 'voice',
    });
    const url = new URL(buildSTTUrl(resolved));
    expect(`${url.protocol}//${url.host}${url.pathname}`).toBe('wss://api.x.ai/v1/stt');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      sample_rate: '48000',
      encoding: 'pcm',
      interim_results: 'true',
      endpointing: '50',
      language: 'en',
      diarize: 'false',
      multichannel: 'false',
    });
  });

  it('leaves language out when null, strips a trailing slash, takes the key from XAI_API_KEY', () => {
    process.env.XAI_API_KEY = 'env-key-1234';
    const { apiKey, resolved } = resolveXAISTTOptions({
      language: null,
      baseURL: 'ws://127.0.0.1:9/v1/',
      encoding: 'mulaw',
      sampleRate: 8000,
      multichannel: true,
      channels: 3,
      diarize: true,
      interimResults: false,
      endpointing: 0,
      resamplerQuality: 'high',
    });
    expect(apiKey).toBe('env-key-1234');
    expect(resolved.resamplerQuality).toBe('high');
    const url = new URL(buildSTTUrl(resolved));
    expect(url.href.startsWith('ws://127.0.0.1:9/v1/stt?')).toBe(true);
    expect(url.searchParams.has('language')).toBe(false);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      sample_rate: '8000',
      encoding: 'mulaw',
      interim_results: 'false',
      endpointing: '0',
      diarize: 'true',
      multichannel: 'true',
      channels: '3',
    });
  });

  it.each([
    [{ sampleRate: 32000 }, 'sampleRate', /8000, 16000, 22050, 24000, 44100, 48000/],
    [{ encoding: 'opus' }, 'encoding', /"pcm", "mulaw", "alaw"/],
    [{ endpointing: 5001 }, 'endpointing', /0 to 5000/],
    [{ endpointing: 12.5 }, 'endpointing', /integer/],
    [{ interimResults: 'yes' }, 'interimResults', /true or false/],
    [{ language: '' }, 'language', /null/],
    [{ channels: 2 }, 'channels', /multichannel/],
    [{ multichannel: true, channels: 9 }, 'channels', /2 to 8/],
    [{ baseURL: 'https://api.x.ai/v1' }, 'baseURL', /ws:\/\/ or wss:\/\//],
    [{ resamplerQuality: 'medium' }, 'resamplerQuality', /"fast", "high"/],
  ] as Array<[Record<string, unknown>, string, RegExp]>)(
    'rejects %j naming %s and the allowed values',
    (bad, option, allowed) => {
      const error = configError({ apiKey: 'k-123456', ...(bad as XAISTTOptions) });
      expect(error.option).toBe(option);
      expect(error.message).toMatch(allowed);
    },
  );

  it('rejects a missing key without a value in the message', () => {
    const error = configError({});
    expect(error.option).toBe('apiKey');
    expect(error.message).toMatch(/XAI_API_KEY/);
  });
});
