import { type FileHandle, open } from 'node:fs/promises';
import { type AudioFrame, remix } from '@x/audio';
import { ConfigurationError } from '../errors/errors.js';
import { type PlayoutSegment, SegmentedAudioOutput } from './segmented-output.js';

export interface WavFileAudioOutputOptions {
  /** File to write (created or truncated on the first frame, or on `close()` if none came). */
  path: string;
  /** The file's sample rate; frames at other rates are resampled to it. */
  sampleRate: number;
  /** The file's channel count (default 1); frames with other counts are remixed to it. */
  channels?: number;
}

const HEADER_BYTES = 44;

/**
 * An `AudioOutput` that streams PCM16 audio into a WAV file: the header goes first with placeholder
 * sizes, data is appended as frames arrive, and `close()` patches the sizes. A WAV file has one
 * format, so `sampleRate` is required and every frame is brought to it. Audio counts as played
 * when written; segments follow one another in the file. Write errors surface from `close()`.
 */
export class WavFileAudioOutput extends SegmentedAudioOutput {
  readonly path: string;
  readonly channels: number;
  #handle: Promise<FileHandle> | undefined;
  #writes: Promise<void> = Promise.resolve();
  #writeError: unknown;
  #dataBytes = 0;
  #closing: Promise<void> | undefined;

  constructor(options: WavFileAudioOutputOptions) {
    if (!Number.isInteger(options.sampleRate) || options.sampleRate <= 0) {
      throw new ConfigurationError('sampleRate', options.sampleRate, 'a positive integer number of Hz');
    }
    const channels = options.channels ?? 1;
    if (!Number.isInteger(channels) || channels < 1 || channels > 8) {
      throw new ConfigurationError('channels', channels, 'an integer from 1 to 8');
    }
    if (typeof options.path !== 'string' || options.path === '') {
      throw new ConfigurationError('path', options.path, 'a file path');
    }
    super({ sampleRate: options.sampleRate, resamplerQuality: 'high', keepFrames: false });
    this.path = options.path;
    this.channels = channels;
  }

  /** Bytes of PCM written (or queued for writing) so far. */
  get dataBytes(): number {
    return this.#dataBytes;
  }

  protected accept(frame: AudioFrame, _segment: PlayoutSegment): void {
    const shaped = frame.channels === this.channels ? frame : remix(frame, this.channels);
    const { data } = shaped;
    this.#write(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }

  /** Ends the segment in progress, writes the final header and closes the file. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#finish();
    return this.#closing;
  }

  async #finish(): Promise<void> {
    this.flush();
    this.closeSegments();
    const handle = await this.#open();
    this.#writes = this.#writes.then(async () => {
      await handle.write(wavHeader(this.sampleRate!, this.channels, this.#dataBytes), 0, HEADER_BYTES, 0);
    });
    try {
      await this.#writes.catch((error: unknown) => {
        this.#writeError ??= error;
      });
    } finally {
      await handle.close();
    }
    if (this.#writeError !== undefined) throw this.#writeError;
  }

  #open(): Promise<FileHandle> {
    if (!this.#handle) {
      const opening = open(this.path, 'w').then(async (handle) => {
        await handle.write(wavHeader(this.sampleRate!, this.channels, 0), 0, HEADER_BYTES, 0);
        return handle;
      });
      this.#handle = opening;
      // Surface open failures through close(); keep the chain from rejecting unhandled.
      this.#writes = opening.then(
        () => undefined,
        (error: unknown) => {
          this.#writeError ??= error;
        },
      );
    }
    return this.#handle;
  }

  #write(bytes: Uint8Array): void {
    const position = HEADER_BYTES + this.#dataBytes;
    this.#dataBytes += bytes.byteLength;
    const handle = this.#open();
    this.#writes = this.#writes.then(async () => {
      if (this.#writeError !== undefined) return;
      try {
        await (await handle).write(bytes, 0, bytes.byteLength, position);
      } catch (error) {
        this.#writeError ??= error;
      }
    });
  }
}

/** A 44-byte PCM16 RIFF/WAVE header. */
export function wavHeader(sampleRate: number, channels: number, dataBytes: number): Uint8Array {
  const header = new Uint8Array(HEADER_BYTES);
  const view = new DataView(header.buffer);
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < text.length; i++) header[offset + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, channels, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * channels * 2, true);
  view.setUint16(32, channels * 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  return header;
}
