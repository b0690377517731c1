import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isConfigurationError } from '../errors/errors.js';
import { makeFrame } from './frame-converter.js';
import { WavFileAudioOutput } from './wav-file-output.js';

const dir = await mkdtemp(join(tmpdir(), 'x-core-wav-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

function parseWav(bytes: Uint8Array) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = (o: number, n: number) => String.fromCharCode(...bytes.subarray(o, o + n));
  return {
    riff: text(0, 4),
    riffSize: view.getUint32(4, true),
    wave: text(8, 4),
    format: view.getUint16(20, true),
    channels: view.getUint16(22, true),
    sampleRate: view.getUint32(24, true),
    byteRate: view.getUint32(28, true),
    bits: view.getUint16(34, true),
    dataTag: text(36, 4),
    dataSize: view.getUint32(40, true),
    samples: new Int16Array(bytes.slice(44).buffer),
  };
}

describe('WavFileAudioOutput', () => {
  it('streams frames of every segment into one WAV and patches the sizes on close', async () => {
    const path = join(dir, 'a.wav');
    const out = new WavFileAudioOutput({ path, sampleRate: 16000 });
    out.push(makeFrame(Int16Array.from([1, 2, 3, 4]), 16000));
    out.push(makeFrame(Int16Array.from([5, -6]), 16000));
    out.flush();
    await expect(out.waitForPlayout()).resolves.toEqual({ playedMs: 0.375, interrupted: false });
    out.push(makeFrame(Int16Array.from([-32768, 32767]), 16000));
    out.interrupt();
    await out.close();
    await out.close();
    const wav = parseWav(new Uint8Array(await readFile(path)));
    expect(wav).toMatchObject({
      riff: 'RIFF',
      riffSize: 36 + 16,
      wave: 'WAVE',
      format: 1,
      channels: 1,
      sampleRate: 16000,
      byteRate: 32000,
      bits: 16,
      dataTag: 'data',
      dataSize: 16,
    });
    expect(Array.from(wav.samples)).toEqual([1, 2, 3, 4, 5, -6, -32768, 32767]);
    expect(out.dataBytes).toBe(16);
  });

  it('writes a valid empty WAV when no audio came', async () => {
    const path = join(dir, 'empty.wav');
    const out = new WavFileAudioOutput({ path, sampleRate: 8000 });
    await out.close();
    const wav = parseWav(new Uint8Array(await readFile(path)));
    expect(wav).toMatchObject({ riffSize: 36, dataSize: 0, sampleRate: 8000 });
  });

  it('reports a write failure from close()', async () => {
    const out = new WavFileAudioOutput({ path: join(dir, 'missing-dir', 'x.wav'), sampleRate: 8000 });
    out.push(makeFrame(Int16Array.from([1]), 8000));
    await expect(out.close()).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('validates its options', () => {
    for (const bad of [
      { sampleRate: 0 },
      { sampleRate: 8000, channels: 0 },
      { sampleRate: 8000, path: '' },
    ]) {
      let caught: unknown;
      try {
        new WavFileAudioOutput({ path: join(dir, 'x.wav'), ...bad });
      } catch (error) {
        caught = error;
      }
      expect(isConfigurationError(caught)).toBe(true);
    }
  });
});

describe('WavFileAudioOutput (conversion)', () => {
  it('resamples and remixes frames to the file format, readable by @x/audio decodeWav', async () => {
    const { decodeWav } = await import('@x/audio');
    const path = join(dir, 'converted.wav');
    const out = new WavFileAudioOutput({ path, sampleRate: 8000 });
    const stereo = new Int16Array(480 * 2);
    for (let i = 0; i < 480; i++) {
      stereo[2 * i] = 1000;
      stereo[2 * i + 1] = 3000;
    }
    out.push(makeFrame(stereo, 24000, 2));
    out.push(makeFrame(stereo, 24000, 2));
    out.flush();
    await out.close();
    const frame = decodeWav(new Uint8Array(await readFile(path)));
    expect(frame.sampleRate).toBe(8000);
    expect(frame.channels).toBe(1);
    expect(frame.samplesPerChannel).toBeGreaterThan(315);
    expect(frame.samplesPerChannel).toBeLessThan(325);
    expect(frame.data[160]).toBeGreaterThan(1900);
    expect(frame.data[160]).toBeLessThan(2100);
  });
});
