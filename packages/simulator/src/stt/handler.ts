import type { ServerContext, WsEndpoint } from '../server/context.js';
import type { SimConnection } from '../server/types.js';
import { AudioDecoder } from './decoder.js';
import { parseSttQuery, type SttOptions } from './options.js';
import { ChannelTranscriber, seconds, type TranscriptResult } from './transcriber.js';

/**
 * `wss /v1/stt`: raw audio in binary frames, `{"type":"audio.done"}` at the end; the server sends
 * `transcript.created`, `transcript.partial` events, `transcript.done`, then closes (code 1000).
 * Invalid query parameters refuse the handshake with HTTP 400 (xAI's error body).
 */
export function createSttEndpoint(context: ServerContext): WsEndpoint {
  return {
    validate(query) {
      const parsed = parseSttQuery(query);
      return typeof parsed === 'string' ? parsed : undefined;
    },
    handle(connection) {
      const options = parseSttQuery(connection.query) as SttOptions;
      runSttSession(connection, options, context.options.sttReadyDelayMs);
    },
  };
}

function runSttSession(connection: SimConnection, options: SttOptions, readyDelayMs: number): void {
  const decoder = new AudioDecoder(options.encoding, options.channels, options.sampleRate);
  const channelCount = options.multichannel ? options.channels : 1;
  const transcribers = Array.from({ length: channelCount }, (_, index) => {
    return new ChannelTranscriber(
      {
        sampleRate: options.sampleRate,
        interimResults: options.interimResults,
        endpointingMs: options.endpointingMs,
        diarize: options.diarize,
      },
      (result) => connection.sendJson(partialEvent(result, options.multichannel ? index : undefined)),
    );
  });
  let done = false;

  connection.schedule(() => connection.sendJson({ type: 'transcript.created' }), readyDelayMs);

  connection.onBinary((bytes) => {
    if (done) return;
    if (options.multichannel) {
      decoder.perChannel(bytes).forEach((samples, i) => {
        transcribers[i]?.push(samples);
      });
    } else {
      transcribers[0]?.push(decoder.mono(bytes));
    }
  });

  connection.onText((text) => {
    let event: unknown;
    try {
      event = JSON.parse(text);
    } catch {
      connection.sendJson({
        type: 'error',
        message: 'Text frames must be JSON, e.g. {"type":"audio.done"}.',
      });
      return;
    }
    const type = (event as { type?: unknown } | null)?.type;
    if (type !== 'audio.done') {
      connection.sendJson({
        type: 'error',
        message: `Unknown message type ${JSON.stringify(type)}; send audio as binary frames and {"type":"audio.done"} at the end.`,
      });
      return;
    }
    if (done) return;
    done = true;
    transcribers.forEach((transcriber, index) => {
      const result = transcriber.finish();
      const event: Record<string, unknown> = {
        type: 'transcript.done',
        text: result.text,
        words: result.words,
        duration: seconds(result.durationMs),
      };
      if (options.multichannel) event.channel_index = index;
      connection.sendJson(event);
    });
    connection.close(1000, 'transcript done');
  });
}

function partialEvent(result: TranscriptResult, channelIndex: number | undefined): Record<string, unknown> {
  const event: Record<string, unknown> = {
    type: 'transcript.partial',
    text: result.text,
    words: result.words,
    is_final: result.isFinal,
    speech_final: result.speechFinal,
    start: seconds(result.startMs),
    duration: seconds(result.endMs - result.startMs),
  };
  if (channelIndex !== undefined) event.channel_index = channelIndex;
  return event;
}
