import { describe, expect, it } from 'vitest';
import { alawDecode, alawEncode, mulawDecode, mulawEncode } from './g711.js';

describe('G.711 (temporary, until @x/audio provides it)', () => {
  it('µ-law: known codes and a bounded round-trip error', () => {
    expect([...mulawEncode(new Int16Array([0, -1, 32767, -32768]))]).toEqual([0xff, 0x7f, 0x80, 0x00]);
    expect([...mulawDecode(new Uint8Array([0xff, 0x80, 0x00]))]).toEqual([0, 32124, -32124]);
    for (let s = -32768; s <= 32767; s += 7) {
      const back = mulawDecode(mulawEncode(new Int16Array([s])))[0]!;
      expect(Math.abs(back - s)).toBeLessThanOrEqual(
        Math.max(4, Math.abs(s) / 16 + 1) + (Math.abs(s) > 32124 ? 700 : 0),
      );
    }
  });

  it('A-law: known codes and a bounded round-trip error', () => {
    expect([...alawEncode(new Int16Array([0, -1, 32767, -32768]))]).toEqual([0xd5, 0x55, 0xaa, 0x2a]);
    expect([...alawDecode(new Uint8Array([0xd5, 0x55, 0xaa, 0x2a]))]).toEqual([8, -8, 32256, -32256]);
    for (let s = -32768; s <= 32767; s += 7) {
      const back = alawDecode(alawEncode(new Int16Array([s])))[0]!;
      expect(Math.abs(back - s)).toBeLessThanOrEqual(
        Math.max(16, Math.abs(s) / 32 + 1) + (Math.abs(s) > 32256 ? 520 : 0),
      );
    }
  });
});
