/**
 * Shared state of the `ws` shim (see `shim.ts`): where `wss://api.x.ai` is redirected to, and an
 * optional tap called with the arrival time of every WebSocket message. Kept on `globalThis` so the
 * shim and the benchmark code share it even if they were loaded as separate module instances.
 */
export type MessageTap = (socket: object, data: unknown, isBinary: boolean, atMs: number) => void;

export interface WsTapState {
  /** Prefix rewritten (default `wss://api.x.ai`). */
  from: string;
  /** Replacement for `from` (e.g. `ws://127.0.0.1:PORT`); `undefined` = no rewrite. */
  to: string | undefined;
  /** Called before the socket's own `message` listeners, with `performance.now()`. */
  onMessage: MessageTap | undefined;
  /** How many sockets the shim created (a check that the redirect is in effect). */
  created: number;
}

const KEY = Symbol.for('x-bench.ws-tap');

export function wsTap(): WsTapState {
  const g = globalThis as unknown as Record<symbol, WsTapState | undefined>;
  let state = g[KEY];
  if (!state) {
    state = { from: 'wss://api.x.ai', to: undefined, onMessage: undefined, created: 0 };
    g[KEY] = state;
  }
  return state;
}

/** `address` with the `from` prefix replaced by `to` (strings and URLs; anything else as is). */
export function rewriteAddress<T>(address: T, state: WsTapState = wsTap()): T | string {
  if (state.to === undefined) return address;
  const text = typeof address === 'string' ? address : address instanceof URL ? address.href : undefined;
  if (text === undefined || !text.startsWith(state.from)) return address;
  return state.to + text.slice(state.from.length);
}
