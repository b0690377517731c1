/**
 * G.711 µ-law and A-law for the realtime endpoint. Temporary: `@x/audio` is to provide
 * `mulawEncode/mulawDecode/alawEncode/alawDecode` (CONTRACTS.md); this file goes once it does.
 */

const MULAW_BIAS = 0x84;
const MULAW_CLIP = 32635;

function topBit(value: number): number {
  return 31 - Math.clz32(value);
}

export function mulawEncode(pcm: Int16Array): Uint8Array {
  const out = new Uint8Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) {
    let s = pcm[i]!;
    const sign = s < 0 ? 0x80 : 0;
    if (s < 0) s = -s;
    if (s > MULAW_CLIP) s = MULAW_CLIP;
    s += MULAW_BIAS;
    const exponent = topBit(s) - 7;
    const mantissa = (s >> (exponent + 3)) & 0x0f;
    out[i] = ~(sign | (exponent << 4) | mantissa) & 0xff;
  }
  return out;
}

export function mulawDecode(codes: Uint8Array): Int16Array {
  const out = new Int16Array(codes.length);
  for (let i = 0; i < codes.length; i++) {
    const u = ~codes[i]! & 0xff;
    const exponent = (u >> 4) & 7;
    const magnitude = ((((u & 0x0f) << 3) + MULAW_BIAS) << exponent) - MULAW_BIAS;
    out[i] = u & 0x80 ? -magnitude : magnitude;
  }
  return out;
}

export function alawEncode(pcm: Int16Array): Uint8Array {
  const out = new Uint8Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) {
    let s = pcm[i]!;
    const mask = s >= 0 ? 0xd5 : 0x55;
    if (s < 0) s = -s - 1;
    let code: number;
    if (s < 256) code = s >> 4;
    else {
      const exponent = topBit(s) - 7;
      code = (exponent << 4) | ((s >> (exponent + 3)) & 0x0f);
    }
    out[i] = code ^ mask;
  }
  return out;
}

export function alawDecode(codes: Uint8Array): Int16Array {
  const out = new Int16Array(codes.length);
  for (let i = 0; i < codes.length; i++) {
    const a = codes[i]! ^ 0x55;
    const exponent = (a >> 4) & 7;
    let t = ((a & 0x0f) << 4) + 8;
    if (exponent !== 0) t = (t + 0x100) << (exponent - 1);
    out[i] = a & 0x80 ? t : -t;
  }
  return out;
}
