/**
 * Twilio Media Streams (bidirectional, `<Connect><Stream>`) message shapes: the wire format only.
 * Audio is 8 kHz mono G.711 µ-law, base64 in `media.payload`.
 */

export interface MediaFormat {
  encoding: string;
  sampleRate: number;
  channels: number;
}

export type InboundMessage =
  | { event: 'connected'; protocol?: string; version?: string }
  | {
      event: 'start';
      sequenceNumber?: string;
      streamSid: string;
      start: {
        streamSid?: string;
        accountSid?: string;
        callSid?: string;
        tracks?: string[];
        customParameters?: Record<string, string>;
        mediaFormat?: MediaFormat;
      };
    }
  | {
      event: 'media';
      sequenceNumber?: string;
      streamSid?: string;
      media: { track?: string; chunk?: string; timestamp?: string; payload: string };
    }
  | { event: 'mark'; sequenceNumber?: string; streamSid?: string; mark: { name: string } }
  | { event: 'dtmf'; streamSid?: string; dtmf: { track?: string; digit: string } }
  | {
      event: 'stop';
      sequenceNumber?: string;
      streamSid?: string;
      stop?: { accountSid?: string; callSid?: string };
    };

export type OutboundMessage =
  | { event: 'media'; streamSid: string; media: { payload: string } }
  | { event: 'mark'; streamSid: string; mark: { name: string } }
  | { event: 'clear'; streamSid: string };

export type ParsedInbound =
  | { kind: 'message'; message: InboundMessage }
  | { kind: 'ignored'; event: string }
  | { kind: 'invalid'; reason: string };

const KNOWN = new Set(['connected', 'start', 'media', 'mark', 'dtmf', 'stop']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses one text frame from the phone provider. Unknown events are ignored, not errors. */
export function parseInbound(text: string): ParsedInbound {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'invalid', reason: 'not JSON' };
  }
  if (!isRecord(value) || typeof value.event !== 'string') {
    return { kind: 'invalid', reason: 'no "event" field' };
  }
  const event = value.event;
  if (!KNOWN.has(event)) return { kind: 'ignored', event };
  switch (event) {
    case 'start': {
      const start = value.start;
      const streamSid = typeof value.streamSid === 'string' ? value.streamSid : undefined;
      const sid =
        streamSid ?? (isRecord(start) && typeof start.streamSid === 'string' ? start.streamSid : '');
      if (!isRecord(start) || sid === '') return { kind: 'invalid', reason: 'start without streamSid' };
      return {
        kind: 'message',
        message: { ...(value as object), event, streamSid: sid, start } as InboundMessage,
      };
    }
    case 'media':
      if (!isRecord(value.media) || typeof value.media.payload !== 'string') {
        return { kind: 'invalid', reason: 'media without media.payload' };
      }
      break;
    case 'mark':
      if (!isRecord(value.mark) || typeof value.mark.name !== 'string') {
        return { kind: 'invalid', reason: 'mark without mark.name' };
      }
      break;
    case 'dtmf':
      if (!isRecord(value.dtmf) || typeof value.dtmf.digit !== 'string') {
        return { kind: 'invalid', reason: 'dtmf without dtmf.digit' };
      }
      break;
  }
  return { kind: 'message', message: value as InboundMessage };
}

export function mediaMessage(streamSid: string, mulaw: Uint8Array): OutboundMessage {
  return {
    event: 'media',
    streamSid,
    media: { payload: Buffer.from(mulaw.buffer, mulaw.byteOffset, mulaw.byteLength).toString('base64') },
  };
}

export function markMessage(streamSid: string, name: string): OutboundMessage {
  return { event: 'mark', streamSid, mark: { name } };
}

export function clearMessage(streamSid: string): OutboundMessage {
  return { event: 'clear', streamSid };
}

/** Decodes a base64 payload to µ-law bytes. */
export function decodePayload(payload: string): Uint8Array {
  const buffer = Buffer.from(payload, 'base64');
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
