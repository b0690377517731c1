import type { AddressInfo } from 'node:net';
import { synthesizeVoice } from '@x/simulator';
import { WebSocketServer } from 'ws';

/**
 * A minimal xAI-TTS-shaped server for client edge cases the simulator does not script: a server
 * that never confirms `text.clear`, sends audio as binary messages, or reports an `error` event.
 * Speaks with the simulator's voice so transcripts can be checked.
 */
export interface ScriptedServerOptions {
  /** Answer `text.clear` with `audio.clear` (default true). */
  ackClear?: boolean;
  /** Send audio as binary messages instead of base64 `audio.delta` (default false). */
  binaryAudio?: boolean;
  /** Reply to `text.done` with an `error` event instead of audio. */
  errorOnDone?: string;
  /** Audio bytes per message (default 960 = 20 ms at 24 kHz PCM16). */
  chunkBytes?: number;
  /** Pause between audio messages (default 2 ms). */
  chunkIntervalMs?: number;
}

export interface ScriptedServer {
  readonly url: string;
  readonly connections: Array<{ query: URLSearchParams; events: Array<Record<string, unknown>> }>;
  close(): Promise<void>;
}

export async function startScriptedServer(options: ScriptedServerOptions = {}): Promise<ScriptedServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const connections: ScriptedServer['connections'] = [];
  const timers = new Set<NodeJS.Timeout>();
  const chunkBytes = options.chunkBytes ?? 960;
  const interval = options.chunkIntervalMs ?? 2;

  wss.on('connection', (ws, req) => {
    const query = new URL(req.url ?? '/', 'http://x').searchParams;
    const record = { query, events: [] as Array<Record<string, unknown>> };
    connections.push(record);
    const rate = Number(query.get('sample_rate') ?? 24000);
    let text = '';
    const queue: Uint8Array[] = [];
    let timer: NodeJS.Timeout | undefined;
    const pump = () => {
      timer = undefined;
      const head = queue[0];
      if (!head || ws.readyState !== ws.OPEN) return;
      if (head.byteLength === 0) {
        queue.shift();
        ws.send(JSON.stringify({ type: 'audio.done' }));
      } else {
        const chunk = head.subarray(0, chunkBytes);
        queue[0] = head.subarray(chunk.byteLength);
        if (options.binaryAudio) ws.send(chunk, { binary: true });
        else ws.send(JSON.stringify({ type: 'audio.delta', delta: Buffer.from(chunk).toString('base64') }));
      }
      schedule();
    };
    const schedule = () => {
      if (timer || queue.length === 0) return;
      timer = setTimeout(() => {
        if (timer) timers.delete(timer);
        pump();
      }, interval);
      timers.add(timer);
    };
    ws.on('message', (data) => {
      const event = JSON.parse(String(data)) as Record<string, unknown>;
      record.events.push(event);
      if (event.type === 'text.delta') text += String(event.delta);
      if (event.type === 'text.done') {
        if (options.errorOnDone) {
          ws.send(JSON.stringify({ type: 'error', message: options.errorOnDone }));
          text = '';
          return;
        }
        const samples = synthesizeVoice(text, rate);
        text = '';
        queue.push(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength), new Uint8Array(0));
        schedule();
      }
      if (event.type === 'text.clear') {
        text = '';
        queue.length = 0;
        if (options.ackClear ?? true) ws.send(JSON.stringify({ type: 'audio.clear' }));
      }
    });
    ws.on('close', () => {
      if (timer) {
        clearTimeout(timer);
        timers.delete(timer);
      }
    });
  });

  const { port } = wss.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/v1`,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}
