import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  alawDecode,
  alawDecodeInto,
  alawEncode,
  alawEncodeInto,
  alawToLinear,
  linearToAlaw,
  linearToMulaw,
  mulawDecode,
  mulawDecodeInto,
  mulawEncode,
  mulawEncodeInto,
  mulawToLinear,
} from './index.js';
import { decodeAlawCode, decodeMulawCode, encodeAlawSample, encodeMulawSample } from './g711/reference.js';

// Every fast path (32-bit loops, aligned or not, pooled or not, head and tail elements) against the
// per-sample G.711 rules of g711/reference.ts, which no fast path uses.

const laws = [
  {
    name: 'µ-law',
    encodeRule: encodeMulawSample,
    decodeRule: decodeMulawCode,
    encode: mulawEncode,
    decode: mulawDecode,
    encodeInto: mulawEncodeInto,
    decodeInto: mulawDecodeInto,
    linearTo: linearToMulaw,
    toLinear: mulawToLinear,
  },
  {
    name: 'A-law',
    encodeRule: encodeAlawSample,
    decodeRule: decodeAlawCode,
    encode: alawEncode,
    decode: alawDecode,
    encodeInto: alawEncodeInto,
    decodeInto: alawDecodeInto,
    linearTo: linearToAlaw,
    toLinear: alawToLinear,
  },
];

/** Lengths around every threshold: unroll widths, the 32-bit loop minimum, the 4 KiB pool limit. */
const LENGTHS = [
  0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 47, 48, 49, 63, 64, 65, 95, 96, 97, 98, 159, 160, 161, 1023,
  1024, 1025, 2047, 2048, 2049, 4095, 4096, 4097, 5003,
];
const MAX = 5003 + 8;

/** Noise over the whole int16 range, so every segment and both signs show up in short runs. */
function samplesFrom(seed: number, count: number): Int16Array {
  const out = new Int16Array(count);
  let s = seed;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    // Alternate full-range values and small ones (where the segments are narrow).
    out[i] = i & 1 ? (s >>> 16) - 32768 : ((s >>> 20) - 2048) >> (s & 7);
  }
  return out;
}

/** First index where `actual` differs from `expected`, or -1. */
function firstDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Math.min(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) if (actual[i] !== expected[i]) return i;
  return -1;
}

describe.each(laws)('$name fast paths', (law) => {
  const source = samplesFrom(law.name.length * 7919, MAX);
  const codeSource = Uint8Array.from(samplesFrom(104729, MAX), (v) => v & 0xff);

  it('every int16 sample and every code match the per-sample rules (array and single-sample APIs)', () => {
    const all = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
    const codes = law.encode(all);
    const allCodes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const samples = law.decode(allCodes);
    let bad = 0;
    for (let i = 0; i < 65536; i++) {
      const want = law.encodeRule(all[i]!);
      if (codes[i] !== want || law.linearTo(all[i]!) !== want) bad++;
    }
    for (let c = 0; c < 256; c++) {
      const want = law.decodeRule(c);
      if (samples[c] !== want || law.toLinear(c) !== want) bad++;
    }
    expect(bad).toBe(0);
  });

  it('encode and encodeInto agree with the rules for every length, input offset and output offset', () => {
    const failures: string[] = [];
    for (const n of LENGTHS) {
      for (let inOffset = 0; inOffset < 4; inOffset++) {
        const pcm = source.subarray(inOffset, inOffset + n);
        const want = Array.from(pcm, law.encodeRule);
        const got = law.encode(pcm);
        if (!(got instanceof Uint8Array) || got.length !== n)
          failures.push(`encode n=${n} in=${inOffset}: shape`);
        let at = firstDifference(got, want);
        if (at >= 0) failures.push(`encode n=${n} in=${inOffset}: index ${at}`);
        for (let outOffset = 0; outOffset < 4; outOffset++) {
          const backing = new Uint8Array(n + 8).fill(0xee);
          const out = backing.subarray(outOffset, outOffset + n + 1); // one spare byte
          const written = law.encodeInto(pcm, out);
          at = firstDifference(written, want);
          if (at >= 0) failures.push(`encodeInto n=${n} in=${inOffset} out=${outOffset}: index ${at}`);
          // Nothing outside the written part is touched.
          const outside = [...backing.subarray(0, outOffset), ...backing.subarray(outOffset + n)];
          if (outside.some((v) => v !== 0xee))
            failures.push(`encodeInto n=${n} out=${outOffset}: wrote outside`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('decode and decodeInto agree with the rules for every length, input offset and output offset', () => {
    const failures: string[] = [];
    for (const n of LENGTHS) {
      for (let inOffset = 0; inOffset < 4; inOffset++) {
        const codes = codeSource.subarray(inOffset, inOffset + n);
        const want = Array.from(codes, law.decodeRule);
        const got = law.decode(codes);
        if (!(got instanceof Int16Array) || got.length !== n)
          failures.push(`decode n=${n} in=${inOffset}: shape`);
        let at = firstDifference(got, want);
        if (at >= 0) failures.push(`decode n=${n} in=${inOffset}: index ${at}`);
        for (let outOffset = 0; outOffset < 4; outOffset++) {
          const backing = new Int16Array(n + 8).fill(0x5eee);
          const out = backing.subarray(outOffset, outOffset + n + 1);
          const written = law.decodeInto(codes, out);
          at = firstDifference(written, want);
          if (at >= 0) failures.push(`decodeInto n=${n} in=${inOffset} out=${outOffset}: index ${at}`);
          const outside = [...backing.subarray(0, outOffset), ...backing.subarray(outOffset + n)];
          if (outside.some((v) => v !== 0x5eee))
            failures.push(`decodeInto n=${n} out=${outOffset}: wrote outside`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it("accepts Node Buffers (a Uint8Array subclass) at odd offsets of Node's pool", () => {
    const bytes = Buffer.from(codeSource.subarray(0, 501));
    const odd = bytes.subarray(1);
    expect(Array.from(law.decode(odd))).toEqual(Array.from(odd, law.decodeRule));
  });
});

describe('G.711 pooled outputs', () => {
  it('small outputs are separate, aligned views that later calls never overwrite', () => {
    const frame = samplesFrom(99, 160);
    const results: Array<{ codes: Uint8Array; samples: Int16Array; want: number[]; wantSamples: number[] }> =
      [];
    // 300 frames of 160 codes + 320 bytes of samples fill more than one 64 KiB slab.
    for (let i = 0; i < 300; i++) {
      const pcm = frame.map((v) => v + i);
      const codes = i & 1 ? alawEncode(pcm) : mulawEncode(pcm);
      const samples = i & 1 ? alawDecode(codes) : mulawDecode(codes);
      const rule = i & 1 ? encodeAlawSample : encodeMulawSample;
      const decodeRule = i & 1 ? decodeAlawCode : decodeMulawCode;
      const want = Array.from(pcm, rule);
      results.push({ codes, samples, want, wantSamples: want.map(decodeRule) });
    }
    const slabs = new Set<ArrayBufferLike>();
    for (const [i, r] of results.entries()) {
      expect(r.codes.constructor, `frame ${i}`).toBe(Uint8Array);
      expect(r.samples.constructor, `frame ${i}`).toBe(Int16Array);
      expect(r.codes.byteOffset % 8, `frame ${i}`).toBe(0);
      expect(r.samples.byteOffset % 8, `frame ${i}`).toBe(0);
      expect(Array.from(r.codes), `frame ${i} codes`).toEqual(r.want);
      expect(Array.from(r.samples), `frame ${i} samples`).toEqual(r.wantSamples);
      // Read through .buffer the way a socket write does.
      expect(Array.from(new Uint8Array(r.codes.buffer, r.codes.byteOffset, r.codes.byteLength))).toEqual(
        r.want,
      );
      slabs.add(r.codes.buffer);
    }
    expect(slabs.size).toBeGreaterThan(1);
    for (const slab of slabs) expect(slab.byteLength).toBe(65536);
  });

  it('outputs over 4 KiB own their memory', () => {
    const codes = mulawEncode(samplesFrom(5, 4097));
    expect(codes.byteOffset).toBe(0);
    expect(codes.buffer.byteLength).toBe(4097);
    const samples = alawDecode(codes.subarray(0, 2049));
    expect(samples.byteOffset).toBe(0);
    expect(samples.buffer.byteLength).toBe(2049 * 2);
    expect(mulawEncode(samplesFrom(5, 4096)).buffer.byteLength).toBe(65536);
    expect(alawDecode(codes.subarray(0, 2048)).buffer.byteLength).toBe(65536);
  });

  it('keeps working after a caller transfers (detaches) the shared slab', () => {
    const first = mulawEncode(samplesFrom(1, 160));
    const slab = first.buffer as ArrayBuffer;
    structuredClone(slab, { transfer: [slab] });
    expect(first.buffer.byteLength).toBe(0);
    const pcm = samplesFrom(2, 160);
    const next = mulawEncode(pcm);
    expect(Array.from(next)).toEqual(Array.from(pcm, encodeMulawSample));
    expect(Array.from(mulawDecode(next))).toEqual(Array.from(next, decodeMulawCode));
  });
});

describe('G.711 law modules', () => {
  it('alaw.ts is mulaw.ts with the names of the other law (the two stay in step)', () => {
    const read = (name: string) => readFileSync(new URL(`./g711/${name}`, import.meta.url), 'utf8');
    const fromMulaw = read('mulaw.ts')
      .replaceAll('µ-law', 'A-law')
      .replaceAll('mulaw', 'alaw')
      .replaceAll('Mulaw', 'Alaw')
      .replaceAll('MULAW', 'ALAW')
      .replace(
        'alaw.ts is the same code with the A-law rules',
        'mulaw.ts is the same code with the µ-law rules',
      );
    expect(read('alaw.ts')).toBe(fromMulaw);
  });
});
