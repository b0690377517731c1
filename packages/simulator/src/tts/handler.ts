import type { ServerContext, WsEndpoint } from '../server/context.js';
import type { SimConnection } from '../server/types.js';
import { encodeChunk, streamingWavHeader } from './encoder.js';
import { parseTtsQuery, type TtsOptions } from './options.js';
import { CHUNK_MS, UtteranceSynthesizer } from './synthesizer.js';

type Outgoing = { kind: 'audio'; delta: string } | { kind: 'done' };

/**
 * `wss /v1/tts`: `text.delta`… `text.done` → `audio.delta` (base64, 100 ms each)… `audio.done`,
 * per utterance, on a socket reused across utterances; `text.clear` stops the audio and answers
 * `audio.clear`. Invalid query parameters refuse the handshake with HTTP 400.
 */
export function createTtsEndpoint(context: ServerContext): WsEndpoint {
  return {
    validate(query) {
      const parsed = parseTtsQuery(query, context.options.ttsChunkDelayMs);
      return typeof parsed === 'string' ? parsed : undefined;
    },
    handle(connection) {
      const options = parseTtsQuery(connection.query, context.options.ttsChunkDelayMs) as TtsOptions;
      new TtsSession(connection, options).start();
    },
  };
}

class TtsSession {
  private synthesizer: UtteranceSynthesizer | undefined;
  private firstChunk = true;
  private readonly outgoing: Outgoing[] = [];
  private cancelTimer: (() => void) | undefined;
  private readonly delayMs: number;

  constructor(
    private readonly connection: SimConnection,
    private readonly options: TtsOptions,
  ) {
    this.delayMs = options.chunkDelayMs === 'realtime' ? CHUNK_MS : options.chunkDelayMs;
  }

  start(): void {
    this.connection.onText((text) => this.onText(text));
    this.connection.onBinary(() =>
      this.error('Binary frames are not accepted; send {"type":"text.delta","delta":"..."} text frames.'),
    );
  }

  private error(message: string): void {
    this.connection.sendJson({ type: 'error', message });
  }

  private onText(text: string): void {
    let event: { type?: unknown; delta?: unknown };
    try {
      event = JSON.parse(text) as typeof event;
    } catch {
      this.error('Text frames must be JSON messages such as {"type":"text.delta","delta":"Hello"}.');
      return;
    }
    switch (event?.type) {
      case 'text.delta':
        if (typeof event.delta !== 'string') {
          this.error('text.delta needs a string "delta".');
          return;
        }
        this.utterance().pushDelta(event.delta);
        return;
      case 'text.done':
        this.utterance().finish();
        this.synthesizer = undefined;
        this.firstChunk = true;
        this.enqueue({ kind: 'done' });
        return;
      case 'text.clear':
        this.clear();
        return;
      default:
        this.error(
          `Unknown message type ${JSON.stringify(event?.type)}; expected text.delta, text.done or text.clear.`,
        );
    }
  }

  private utterance(): UtteranceSynthesizer {
    this.synthesizer ??= new UtteranceSynthesizer(this.options.sampleRate, (samples) =>
      this.onChunk(samples),
    );
    return this.synthesizer;
  }

  private onChunk(samples: Int16Array): void {
    let bytes = encodeChunk(samples, this.options.codec);
    if (this.options.codec === 'wav' && this.firstChunk) {
      const header = streamingWavHeader(this.options.sampleRate);
      const withHeader = new Uint8Array(header.length + bytes.length);
      withHeader.set(header);
      withHeader.set(bytes, header.length);
      bytes = withHeader;
    }
    this.firstChunk = false;
    this.enqueue({
      kind: 'audio',
      delta: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
    });
  }

  /** Barge-in: drop the utterance in progress and all audio not yet sent, then `audio.clear`. */
  private clear(): void {
    this.synthesizer = undefined;
    this.firstChunk = true;
    this.outgoing.length = 0;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.connection.discardPending();
    this.connection.sendJson({ type: 'audio.clear' });
  }

  private enqueue(item: Outgoing): void {
    this.outgoing.push(item);
    this.pump();
  }

  /** Sends queued audio, one chunk per `delayMs` when paced. */
  private pump(): void {
    while (this.cancelTimer === undefined && this.outgoing.length > 0) {
      const item = this.outgoing.shift()!;
      if (item.kind === 'done') {
        this.connection.sendJson({ type: 'audio.done' });
        continue;
      }
      this.connection.sendJson({ type: 'audio.delta', delta: item.delta });
      if (this.delayMs > 0) {
        this.cancelTimer = this.connection.schedule(() => {
          this.cancelTimer = undefined;
          this.pump();
        }, this.delayMs);
      }
    }
  }
}
