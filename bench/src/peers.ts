/**
 * The peer libraries, loaded through require (all three ship CommonJS/UMD builds only) and typed
 * here with just what the benchmark uses.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface LibSampleRateConverter {
  simple(dataIn: Float32Array): Float32Array;
  destroy(): void;
}

export interface LibSampleRateModule {
  create(
    channels: number,
    inputSampleRate: number,
    outputSampleRate: number,
    options?: { converterType: number },
  ): Promise<LibSampleRateConverter>;
  ConverterType: {
    SRC_SINC_BEST_QUALITY: number;
    SRC_SINC_MEDIUM_QUALITY: number;
    SRC_SINC_FASTEST: number;
    SRC_ZERO_ORDER_HOLD: number;
    SRC_LINEAR: number;
  };
}

export interface WaveResamplerModule {
  resample(
    samples: ArrayLike<number>,
    oldSampleRate: number,
    sampleRate: number,
    details?: { method?: 'point' | 'linear' | 'cubic' | 'sinc'; LPF?: boolean; LPFType?: 'IIR' | 'FIR' },
  ): Float64Array;
}

interface G711Codec {
  encode(samples: Int16Array): Uint8Array;
  decode(samples: Uint8Array): Int16Array;
  encodeSample(sample: number): number;
  decodeSample(sample: number): number;
}

export interface AlawmulawModule {
  alaw: G711Codec;
  mulaw: G711Codec;
}

export const libsamplerate = require('@alexanderolsen/libsamplerate-js') as LibSampleRateModule;
export const waveResampler = require('wave-resampler') as WaveResamplerModule;
export const alawmulaw = require('alawmulaw') as AlawmulawModule;

export const PEER_VERSIONS = {
  libsamplerate: (require('@alexanderolsen/libsamplerate-js/package.json') as { version: string }).version,
  waveResampler: (require('wave-resampler/package.json') as { version: string }).version,
  alawmulaw: (require('alawmulaw/package.json') as { version: string }).version,
};
