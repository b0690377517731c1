import { afterEach, describe, expect, it } from 'vitest';
import WebSocketBase, { WebSocketServer } from 'ws';
// @ts-expect-error -- a plain ESM hooks module without types
import { redirects, resolve } from './hooks.mjs';
import { WebSocket } from './shim.js';
import { rewriteAddress, wsTap } from './tap.js';

const state = wsTap();

afterEach(() => {
  state.to = undefined;
  state.onMessage = undefined;
});

describe('ws redirect', () => {
  it('rewrites only the xAI prefix, for strings and URLs', () => {
    const s = { from: 'wss://api.x.ai', to: 'ws://127.0.0.1:1234', onMessage: undefined, created: 0 };
    expect(rewriteAddress('wss://api.x.ai/v1/tts?voice=ara', s)).toBe('ws://127.0.0.1:1234/v1/tts?voice=ara');
    expect(rewriteAddress(new URL('wss://api.x.ai/v1/stt?x=1'), s)).toBe('ws://127.0.0.1:1234/v1/stt?x=1');
    expect(rewriteAddress('wss://example.com/v1/tts', s)).toBe('wss://example.com/v1/tts');
    expect(rewriteAddress('wss://api.x.ai/v1/tts', { ...s, to: undefined })).toBe('wss://api.x.ai/v1/tts');
  });

  it('the resolve hook sends ws to the shim for the clients under test only', async () => {
    const calls: string[] = [];
    const next = async (specifier: string) => {
      calls.push(specifier);
      return { url: specifier };
    };
    const plugin = 'file:///x/node_modules/.pnpm/a/node_modules/@livekit/agents-plugin-xai/dist/tts.js';
    expect(redirects(plugin)).toBe(true);
    expect(redirects('file:///work/main/packages/tts/dist/index.js')).toBe(true);
    expect(redirects('file:///work/main/packages/simulator/dist/index.js')).toBe(false);
    expect(redirects('file:///work/main/bench/src/ws-redirect/shim.ts')).toBe(false);
    const redirected = await resolve('ws', { parentURL: plugin }, next);
    expect(redirected.url).toMatch(/\/ws-redirect\/shim\.ts$/);
    const untouched = await resolve('ws', { parentURL: 'file:///work/main/bench/src/x.ts' }, next);
    expect(untouched.url).toBe('ws');
    expect(calls).toEqual([redirected.url, 'ws']);
  });

  it('the shim connects wss://api.x.ai to the local server and taps each message first', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((r) => server.once('listening', () => r()));
    const { port } = server.address() as { port: number };
    const paths: string[] = [];
    server.on('connection', (socket: WebSocketBase, request: { url?: string }) => {
      paths.push(request.url ?? '');
      socket.send(JSON.stringify({ type: 'audio.delta', delta: 'AAAA' }));
    });
    state.to = `ws://127.0.0.1:${port}`;
    const order: string[] = [];
    state.onMessage = (_socket, data, isBinary, atMs) => {
      expect(isBinary).toBe(false);
      expect(atMs).toBeGreaterThan(0);
      order.push(`tap:${String(data)}`);
    };
    const before = state.created;
    const ws = new WebSocket('wss://api.x.ai/v1/tts?voice=ara', { headers: { Authorization: 'Bearer k' } });
    const message = await new Promise<string>((resolve, reject) => {
      ws.on('message', (data: Buffer) => {
        order.push('listener');
        resolve(String(data));
      });
      ws.on('error', reject);
    });
    expect(message).toBe('{"type":"audio.delta","delta":"AAAA"}');
    expect(order).toEqual([`tap:${message}`, 'listener']);
    expect(paths).toEqual(['/v1/tts?voice=ara']);
    expect(state.created).toBe(before + 1);
    expect(ws).toBeInstanceOf(WebSocketBase);
    await new Promise<void>((r) => {
      ws.once('close', () => r());
      ws.close();
    });
    await new Promise<void>((r) => server.close(() => r()));
  });
});
