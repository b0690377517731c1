// The wire shapes of xAI's streaming TTS WebSocket (`wss://api.x.ai/v1/tts`), and nothing else.

/** Client → server. */
export type ClientEvent =
  | { type: 'text.delta'; delta: string }
  | { type: 'text.done' }
  | { type: 'text.clear' };

/** Server → client, as this client understands them; anything else is `unknown`. */
export type ServerEvent =
  | { type: 'audio.delta'; delta: string }
  | { type: 'audio.done' }
  | { type: 'audio.clear' }
  | { type: 'error'; message: string }
  | { type: 'unknown'; raw: unknown };

export const textDelta = (delta: string): ClientEvent => ({ type: 'text.delta', delta });
export const TEXT_DONE: ClientEvent = { type: 'text.done' };
export const TEXT_CLEAR: ClientEvent = { type: 'text.clear' };

/**
 * Parses one text frame. Throws `SyntaxError` for non-JSON; unknown or incomplete events come back
 * as `{type: 'unknown'}` so a new server event never breaks the client.
 */
export function parseServerEvent(text: string): ServerEvent {
  const raw: unknown = JSON.parse(text);
  if (typeof raw !== 'object' || raw === null) return { type: 'unknown', raw };
  const event = raw as { type?: unknown; delta?: unknown; message?: unknown; error?: unknown };
  switch (event.type) {
    case 'audio.delta':
      return typeof event.delta === 'string'
        ? { type: 'audio.delta', delta: event.delta }
        : { type: 'unknown', raw };
    case 'audio.done':
      return { type: 'audio.done' };
    case 'audio.clear':
      return { type: 'audio.clear' };
    case 'error':
      return { type: 'error', message: errorMessage(event) };
    default:
      return { type: 'unknown', raw };
  }
}

function errorMessage(event: { message?: unknown; error?: unknown }): string {
  if (typeof event.message === 'string') return event.message;
  if (typeof event.error === 'string') return event.error;
  const nested = event.error as { message?: unknown } | undefined;
  if (typeof nested?.message === 'string') return nested.message;
  return 'unknown error';
}
