import { APIStatusError, ConfigurationError } from '@x/core';
import { describe, expect, it } from 'vitest';
import { SECRET_KEY } from './secret.js';
import { createWatch, printableForms } from './watch.js';

// The suite's own guards must be able to fail: each leak path is caught.
describe('the key scan', () => {
  it('finds the key in an error message, its body, its cause and its stack', () => {
    const inBody = new APIStatusError('refused', { status: 401, body: { detail: `key ${SECRET_KEY}` } });
    const inCause = new Error('outer', { cause: new Error(`inner Bearer-less ${SECRET_KEY.slice(4)}`) });
    const inProp = Object.assign(new Error('plain'), { config: { apiKey: SECRET_KEY } });
    for (const error of [inBody, inCause, inProp]) {
      const watch = createWatch();
      watch.record(error);
      expect(watch.leaks.length, error.message).toBeGreaterThan(0);
      expect(() => watch.assertClean()).toThrow(/leaked/);
    }
    const clean = createWatch();
    clean.record(new ConfigurationError('apiKey', undefined, 'a key'), {
      event: 'transcript',
      text: 'hello',
    });
    expect(clean.leaks).toEqual([]);
    expect(clean.scanned).toBeGreaterThan(2);
    expect(() => clean.assertClean()).not.toThrow();
  });

  it('taps console.* and process.stdout/stderr writes', () => {
    const watch = createWatch();
    watch.install({ passThrough: false });
    try {
      console.log('connecting with', { headers: { Authorization: `Bearer ${SECRET_KEY}` } });
      console.error(new Error(`failed for ${SECRET_KEY}`));
      process.stdout.write(`raw ${SECRET_KEY}\n`);
      process.stderr.write(Buffer.from(`raw ${SECRET_KEY}\n`));
      console.info('nothing secret here');
    } finally {
      watch.uninstall();
    }
    expect(new Set(watch.leaks.map((l) => l.split(':')[0]))).toEqual(
      new Set(['console.log', 'console.error', 'stdout', 'stderr']),
    );
  });

  it('prints typed arrays and huge strings without blowing up', () => {
    const forms = printableForms({ audio: new Int16Array(48_000), padding: 'x'.repeat(1_000_000) });
    expect(forms.every((f) => f.length < 20_000)).toBe(true);
  });
});
