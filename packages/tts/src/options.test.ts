import { isConfigurationError } from '@x/core';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTTSUrl, resolveXAITTSOptions, type XAITTSOptions } from './options.js';
import { XAITTS } from './xai-tts.js';

function configurationError(options: XAITTSOptions): { option: string; message: string } {
  try {
    resolveXAITTSOptions(options);
  } catch (error) {
    if (!isConfigurationError(error)) throw error;
    return { option: error.option, message: error.message };
  }
  throw new Error('expected a ConfigurationError');
}

const savedKey = process.env.XAI_API_KEY;
afterEach(() => {
  if (savedKey === undefined) delete process.env.XAI_API_KEY;
  else process.env.XAI_API_KEY = savedKey;
});

describe('XAITTS options', () => {
  it('has the documented defaults and builds the xAI URL', () => {
    const resolved = resolveXAITTSOptions({ apiKey: 'k-123' });
    expect(resolved).toMatchObject({
      voice: 'eve',
      language: 'en',
      codec: 'pcm',
      sampleRate: 24000,
      optimizeStreamingLatency: undefined,
      textNormalization: undefined,
      baseURL: 'wss://api.x.ai/v1',
      maxConnectionAgeMs: 300_000,
      connectOptions: { maxRetry: 3, retryIntervalMs: 2000, timeoutMs: 10_000 },
    });
    expect(buildTTSUrl(resolved)).toBe(
      'wss://api.x.ai/v1/tts?voice=eve&language=en&codec=pcm&sample_rate=24000',
    );
  });

  it('normalises case, trims a trailing slash and adds the optional query flags', () => {
    const resolved = resolveXAITTSOptions({
      apiKey: 'k-123',
      voice: 'ReX',
      language: 'AUTO',
      codec: 'mulaw' as const,
      sampleRate: 8000,
      optimizeStreamingLatency: 1,
      textNormalization: false,
      baseURL: 'ws://127.0.0.1:9/v1/',
    });
    expect(buildTTSUrl(resolved)).toBe(
      'ws://127.0.0.1:9/v1/tts?voice=rex&language=auto&codec=mulaw&sample_rate=8000' +
        '&optimize_streaming_latency=1&text_normalization=false',
    );
    expect(buildTTSUrl(resolved, 'leo')).toContain('voice=leo');
    expect(resolveXAITTSOptions({ apiKey: 'k', language: 'pt-BR' }).language).toBe('pt-BR');
  });

  it.each([
    [{ voice: 'bob' }, 'voice', /"eve", "ara", "rex", "sal", "leo"/],
    [{ language: 'english please' }, 'language', /BCP-47/],
    [{ language: '' }, 'language', /auto/],
    [{ codec: 'mp3' }, 'codec', /"pcm", "mulaw"/],
    [{ sampleRate: 32000 }, 'sampleRate', /8000, 16000, 22050, 24000, 44100, 48000/],
    [{ optimizeStreamingLatency: 2 }, 'optimizeStreamingLatency', /0, 1/],
    [{ textNormalization: 'yes' }, 'textNormalization', /true, false/],
    [{ baseURL: 'https://api.x.ai/v1' }, 'baseURL', /ws:\/\/ or wss:\/\//],
    [{ baseURL: 'not a url' }, 'baseURL', /wss/],
    [{ maxConnectionAgeMs: 0 }, 'maxConnectionAgeMs', /from 1/],
    [{ connectOptions: { maxRetry: -1 } }, 'connectOptions.maxRetry', /integer/],
    [{ clearTimeoutMs: Number.NaN }, 'clearTimeoutMs', /number/],
  ])('rejects %j naming the option and the allowed values', (bad, option, allowed) => {
    const error = configurationError({ apiKey: 'k-123', ...(bad as XAITTSOptions) });
    expect(error.option).toBe(option);
    expect(error.message).toMatch(allowed);
  });

  it('reads XAI_API_KEY, and without a key fails naming apiKey and the variable', () => {
    process.env.XAI_API_KEY = 'env-key-1234';
    expect(resolveXAITTSOptions({}).apiKey).toBe('env-key-1234');
    delete process.env.XAI_API_KEY;
    const error = configurationError({});
    expect(error.option).toBe('apiKey');
    expect(error.message).toContain('XAI_API_KEY');
  });

  it('never exposes the key on the instance', () => {
    const tts = new XAITTS({ apiKey: 'xai-secret-key-abcdef' });
    expect(JSON.stringify(tts.options)).not.toContain('secret');
    expect(Object.keys(tts.options)).not.toContain('apiKey');
    expect(tts.sampleRate).toBe(24000);
    expect(tts.voice).toBe('eve');
  });

  it('validates a per-call voice the same way', async () => {
    const tts = new XAITTS({ apiKey: 'k-123' });
    const output = { sampleRate: undefined, push() {}, flush() {}, interrupt() {}, playedMs: 0 };
    const call = tts.synthesize('hi', {
      voice: 'nobody',
      output: { ...output, waitForPlayout: async () => ({ playedMs: 0, interrupted: false }) },
    });
    await expect(call).rejects.toMatchObject({ option: 'voice' });
    await tts.close();
  });
});
