import type { ConnectionHandler, SimConnection } from '../server/types.js';
import { UNRECOGNIZED_SPEECH_MARKER, VoiceRecognizer, synthesizeVoice } from '../voice/index.js';
import { DEFAULT_MODEL, ERROR_CODES, KNOWN_MODELS, MODEL_PREFIX } from './protocol.js';
import { DEFAULT_LEAD_MS, RealtimeSession, type VoiceEngine } from './session.js';

export interface RealtimeHandlerOptions {
  /**
   * Pacing of response audio: 1 = real time (default), 10 = ten times real time, `Infinity` = as fast
   * as possible. A connection can override it with the query flag `sim_speed=<n>` (`max` = Infinity).
   */
  speed?: number;
  /** Audio sent ahead of real time at the start of a response (default 300 ms; query `sim_lead_ms`). */
  leadMs?: number;
  /** The simulator's voice (default: `src/voice`). */
  voice?: VoiceEngine;
}

/** The simulator's own voice: tones its recogniser decodes back to text. */
export const simulatorVoice: VoiceEngine = {
  synthesize: (text, sampleRate) => synthesizeVoice(text, sampleRate),
  createRecognizer: (sampleRate) => new VoiceRecognizer({ sampleRate }),
  unrecognizedMarker: UNRECOGNIZED_SPEECH_MARKER,
};

export function isKnownModel(model: string): boolean {
  return (
    (KNOWN_MODELS as readonly string[]).includes(model) || /^grok-voice-[a-z0-9][a-z0-9.-]*$/.test(model)
  );
}

function parseSpeed(value: string | null, fallback: number): number | undefined {
  if (value === null) return fallback;
  if (value === 'max' || value === 'inf' || value === 'Infinity' || value === '0')
    return Number.POSITIVE_INFINITY;
  const speed = Number(value);
  return Number.isFinite(speed) && speed > 0 ? speed : undefined;
}

function parseLead(value: string | null, fallback: number): number | undefined {
  if (value === null) return fallback;
  const lead = Number(value);
  return Number.isFinite(lead) && lead >= 0 ? lead : undefined;
}

/** Sends an `error` event and closes the socket (policy violation): used for a bad connect URL. */
function refuse(connection: SimConnection, code: string, message: string, param: string): void {
  connection.sendJson({
    event_id: 'event_refused',
    type: 'error',
    error: { type: 'invalid_request_error', code, message, param, event_id: null },
  });
  connection.close(1008, code);
}

/**
 * `wss /v1/realtime?model=…[&sim_speed=<n>|max][&sim_lead_ms=<ms>][&sim_ping_ms=<ms>]`.
 * `sim_ping_ms` (default 0 = off) makes the endpoint send xAI's keep-alive `ping {timestamp}` events.
 * A missing model means `grok-voice-fast-1.0`; an id that is neither
 * known nor `grok-voice-*` gets an `error` event (`model_not_found`, param `model`) and the socket is
 * closed with 1008 — xAI's exact behaviour here is [unconfirmed].
 */
export function createRealtimeHandler(options: RealtimeHandlerOptions = {}): ConnectionHandler {
  return (connection) => {
    const model = connection.query.get('model') || DEFAULT_MODEL;
    if (!isKnownModel(model)) {
      refuse(
        connection,
        ERROR_CODES.modelNotFound,
        `The model '${model}' does not exist or you do not have access to it. Known models: ${KNOWN_MODELS.join(', ')} (or any ${MODEL_PREFIX}* id).`,
        'model',
      );
      return;
    }
    const speed = parseSpeed(connection.query.get('sim_speed'), options.speed ?? 1);
    if (speed === undefined) {
      refuse(
        connection,
        ERROR_CODES.invalidValue,
        "Invalid 'sim_speed': expected a number > 0 or 'max'.",
        'sim_speed',
      );
      return;
    }
    const leadMs = parseLead(connection.query.get('sim_lead_ms'), options.leadMs ?? DEFAULT_LEAD_MS);
    if (leadMs === undefined) {
      refuse(
        connection,
        ERROR_CODES.invalidValue,
        "Invalid 'sim_lead_ms': expected a number >= 0.",
        'sim_lead_ms',
      );
      return;
    }
    const session = new RealtimeSession({
      send: (event) => connection.sendJson(event),
      voice: options.voice ?? simulatorVoice,
      model,
      speed,
      leadMs,
      // The server's log already counts the base64-decoded bytes of every append
      // (`record.audioBytesReceived`), so the session does not count them again.
      idPrefix: connection.id.replace(/[^a-zA-Z0-9]/g, ''),
    });
    const pingMs = parseLead(connection.query.get('sim_ping_ms'), 0);
    if (pingMs === undefined || (pingMs > 0 && pingMs < 10)) {
      refuse(
        connection,
        ERROR_CODES.invalidValue,
        "Invalid 'sim_ping_ms': expected 0 (off) or a number >= 10.",
        'sim_ping_ms',
      );
      return;
    }
    connection.onText((text) => session.handleText(text));
    connection.onBinary(() => session.handleBinary());
    session.start();
    const pinger = pingMs > 0 ? setInterval(() => session.ping(), pingMs) : undefined;
    connection.onClose(() => {
      if (pinger) clearInterval(pinger);
      session.close();
    });
  };
}

const defaultHandler = createRealtimeHandler();

/** `wss /v1/realtime?model=…` with the default options. */
export function handleRealtimeConnection(connection: SimConnection): void {
  defaultHandler(connection);
}
