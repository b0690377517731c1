import { AudioFormatError } from './errors.js';
import { type AudioFrame, bytesToSamples, createAudioFrame, frameToBytes } from './frame.js';
import { MAX_CHANNELS, MAX_SAMPLE_RATE } from './rates.js';

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** Bytes 2… of every KSDATAFORMAT_SUBTYPE_* GUID (00000000-0000-0010-8000-00AA00389B71 pattern). */
const SUBFORMAT_GUID_TAIL = [
  0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
];

const FORMAT_NAMES: Record<number, string> = {
  1: 'PCM',
  2: 'Microsoft ADPCM',
  3: 'IEEE float',
  6: 'A-law',
  7: 'µ-law',
  17: 'IMA ADPCM',
  49: 'GSM 6.10',
  85: 'MPEG Layer 3',
  65534: 'WAVE_FORMAT_EXTENSIBLE',
};

function formatName(tag: number): string {
  return `${FORMAT_NAMES[tag] ?? 'unknown'} (format tag 0x${tag.toString(16).padStart(4, '0')})`;
}

function ascii(view: DataView, offset: number): string {
  return String.fromCharCode(
    view.getUint8(offset),
    view.getUint8(offset + 1),
    view.getUint8(offset + 2),
    view.getUint8(offset + 3),
  );
}

/** A 16-bit PCM RIFF/WAVE file (44-byte header) holding the frame. */
export function encodeWav(frame: AudioFrame): Uint8Array {
  const dataBytes = frame.data.length * 2;
  if (dataBytes > 0xffffffff - 36) {
    throw new AudioFormatError(
      'invalid_option',
      `frame too large for a WAV file (${dataBytes} bytes of samples)`,
    );
  }
  const out = new Uint8Array(44 + dataBytes);
  const view = new DataView(out.buffer);
  const blockAlign = frame.channels * 2;
  const writeAscii = (offset: number, text: string): void => {
    for (let i = 0; i < 4; i++) out[offset + i] = text.charCodeAt(i);
  };
  writeAscii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  writeAscii(8, 'WAVE');
  writeAscii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, WAVE_FORMAT_PCM, true);
  view.setUint16(22, frame.channels, true);
  view.setUint32(24, frame.sampleRate, true);
  view.setUint32(28, frame.sampleRate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, 16, true);
  writeAscii(36, 'data');
  view.setUint32(40, dataBytes, true);
  out.set(frameToBytes(frame), 44);
  return out;
}

interface FmtChunk {
  formatTag: number;
  channels: number;
  sampleRate: number;
  blockAlign: number;
  bitsPerSample: number;
  subFormat?: number;
}

function readFmt(view: DataView, offset: number, size: number): FmtChunk {
  if (size < 16)
    throw new AudioFormatError('invalid_wav', `WAV 'fmt ' chunk is ${size} bytes; at least 16 expected`);
  const fmt: FmtChunk = {
    formatTag: view.getUint16(offset, true),
    channels: view.getUint16(offset + 2, true),
    sampleRate: view.getUint32(offset + 4, true),
    blockAlign: view.getUint16(offset + 12, true),
    bitsPerSample: view.getUint16(offset + 14, true),
  };
  if (fmt.formatTag === WAVE_FORMAT_EXTENSIBLE) {
    if (size < 40) {
      throw new AudioFormatError(
        'invalid_wav',
        `WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk is ${size} bytes; 40 expected`,
      );
    }
    const guidOffset = offset + 24;
    for (let i = 0; i < SUBFORMAT_GUID_TAIL.length; i++) {
      if (view.getUint8(guidOffset + 2 + i) !== SUBFORMAT_GUID_TAIL[i]) {
        throw new AudioFormatError(
          'unsupported_wav_format',
          'WAV uses WAVE_FORMAT_EXTENSIBLE with a non-standard sub-format GUID; only 16-bit PCM can be read',
        );
      }
    }
    fmt.subFormat = view.getUint16(guidOffset, true);
  }
  return fmt;
}

/**
 * Reads a RIFF/WAVE file holding 16-bit PCM (plain or WAVE_FORMAT_EXTENSIBLE with the PCM
 * sub-format), any rate and channel count. Chunks other than 'fmt ' and 'data' (LIST, fact, cue …)
 * are skipped. Anything else — float, 8/24/32-bit, A-law/µ-law, ADPCM, RIFX — throws an
 * AudioFormatError naming the format found. The samples share memory with `bytes` when aligned.
 */
export function decodeWav(bytes: Uint8Array): AudioFrame {
  if (!(bytes instanceof Uint8Array)) {
    throw new AudioFormatError('invalid_option', 'decodeWav takes a Uint8Array or Buffer');
  }
  if (bytes.length < 12)
    throw new AudioFormatError('invalid_wav', `not a WAV file: only ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const riff = ascii(view, 0);
  if (riff === 'RIFX' || riff === 'RF64') {
    throw new AudioFormatError(
      'unsupported_wav_format',
      `${riff} WAV files are not supported; only little-endian RIFF`,
    );
  }
  if (riff !== 'RIFF' || ascii(view, 8) !== 'WAVE') {
    throw new AudioFormatError(
      'invalid_wav',
      `not a WAV file: starts with '${riff}', expected 'RIFF'…'WAVE'`,
    );
  }
  let fmt: FmtChunk | undefined;
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = ascii(view, offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (body + size > bytes.length)
        throw new AudioFormatError('invalid_wav', "WAV 'fmt ' chunk is truncated");
      fmt = readFmt(view, body, size);
    } else if (id === 'data') {
      if (fmt === undefined)
        throw new AudioFormatError('invalid_wav', "WAV 'data' chunk comes before the 'fmt ' chunk");
      checkPcm16(fmt);
      // A streamed WAV may carry a placeholder size (0xFFFFFFFF) or be cut short: read what is there.
      let available = Math.min(size, bytes.length - body);
      available -= available % fmt.blockAlign;
      const samples = bytesToSamples(bytes.subarray(body, body + available));
      return createAudioFrame(samples, fmt.sampleRate, fmt.channels);
    }
    offset = body + size + (size % 2); // chunks are padded to an even size
  }
  throw new AudioFormatError(
    'invalid_wav',
    fmt === undefined ? "WAV has no 'fmt ' chunk" : "WAV has no 'data' chunk",
  );
}

function checkPcm16(fmt: FmtChunk): void {
  const isPcm =
    fmt.formatTag === WAVE_FORMAT_PCM ||
    (fmt.formatTag === WAVE_FORMAT_EXTENSIBLE && fmt.subFormat === WAVE_FORMAT_PCM);
  if (!isPcm) {
    const what =
      fmt.formatTag === WAVE_FORMAT_EXTENSIBLE
        ? `WAVE_FORMAT_EXTENSIBLE with sub-format ${formatName(fmt.subFormat ?? 0)}`
        : formatName(fmt.formatTag);
    throw new AudioFormatError(
      'unsupported_wav_format',
      `WAV holds ${what}, ${fmt.bitsPerSample}-bit; only 16-bit PCM can be read`,
    );
  }
  if (fmt.bitsPerSample !== 16) {
    throw new AudioFormatError(
      'unsupported_wav_format',
      `WAV holds ${fmt.bitsPerSample}-bit PCM; only 16-bit PCM can be read`,
    );
  }
  if (fmt.channels < 1 || fmt.channels > MAX_CHANNELS || fmt.blockAlign !== fmt.channels * 2) {
    throw new AudioFormatError(
      'invalid_wav',
      `WAV header is inconsistent: ${fmt.channels} channels with block align ${fmt.blockAlign}`,
    );
  }
  if (fmt.sampleRate < 1 || fmt.sampleRate > MAX_SAMPLE_RATE) {
    throw new AudioFormatError('invalid_wav', `WAV sample rate ${fmt.sampleRate} Hz is out of range`);
  }
}
