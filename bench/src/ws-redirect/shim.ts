/**
 * What `ws` resolves to for the clients under test (see `hooks.mjs`): ws's own module, except that
 * `WebSocket` is a subclass that (1) rewrites `wss://api.x.ai…` to the local simulator (LiveKit's
 * xAI TTS/STT have no base-URL option) and (2) reports each message's arrival time to the tap.
 */
import type { ClientRequestArgs } from 'node:http';
import WebSocketBase from 'ws';
import { rewriteAddress, wsTap } from './tap.js';

export { createWebSocketStream, Receiver, Sender, WebSocketServer } from 'ws';

const state = wsTap();

export class WebSocket extends WebSocketBase {
  constructor(
    address: string | URL | null,
    protocols?: string | string[] | WebSocketBase.ClientOptions | ClientRequestArgs,
    options?: WebSocketBase.ClientOptions | ClientRequestArgs,
  ) {
    const target = address === null ? null : (rewriteAddress(address, state) as string | URL);
    // ws inspects `protocols` to tell a protocol list from an options object: pass it on as given.
    if (options === undefined) super(target, protocols as string | string[] | undefined);
    else super(target, protocols as string | string[] | undefined, options);
    state.created++;
  }

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'message') {
      const tap = state.onMessage;
      if (tap) tap(this, args[0], args[1] === true, performance.now());
    }
    return super.emit(event, ...args);
  }
}

export default WebSocket;
