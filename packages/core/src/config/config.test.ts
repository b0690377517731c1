import { afterEach, describe, expect, it } from 'vitest';
import { redact } from '../errors/redact.js';
import { resolveApiKey } from './api-key.js';
import { inRange, oneOf } from './validate.js';

describe('config helpers', () => {
  const saved = process.env.XAI_API_KEY;
  afterEach(() => {
    if (saved === undefined) delete process.env.XAI_API_KEY;
    else process.env.XAI_API_KEY = saved;
  });

  it('takes the key from options, then the environment, and registers it for redaction', () => {
    process.env.XAI_API_KEY = 'env-key-abcdef';
    expect(resolveApiKey(undefined)).toBe('env-key-abcdef');
    expect(resolveApiKey('given-key-123456')).toBe('given-key-123456');
    expect(redact('auth failed for given-key-123456')).toBe('auth failed for [REDACTED]');
  });

  it('names both the option and the variable when no key is found', () => {
    delete process.env.XAI_API_KEY;
    expect(() => resolveApiKey(undefined)).toThrow(/"apiKey".*XAI_API_KEY/);
  });

  it('oneOf and inRange name the option and the allowed values', () => {
    expect(oneOf('voice', 'EVE', ['eve', 'ara'], { caseInsensitive: true })).toBe('eve');
    expect(() => oneOf('voice', 'bob', ['eve', 'ara'])).toThrow(
      'Invalid option "voice": got "bob"; expected one of "eve", "ara"',
    );
    expect(inRange('endpointing', 50, 0, 5000, { integer: true })).toBe(50);
    expect(() => inRange('endpointing', 5001, 0, 5000, { integer: true })).toThrow(
      'expected an integer from 0 to 5000',
    );
    expect(() => inRange('threshold', Number.NaN, 0, 1)).toThrow(/threshold/);
  });
});
