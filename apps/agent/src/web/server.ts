import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Backend } from '../backend.js';
import type { PipelineMode } from '../session-factory.js';
import { PhoneCall } from '../telephony/phone-call.js';
import { BrowserCall } from './browser-call.js';

export interface AgentServerOptions {
  backend: Backend;
  /** Port (0 = any free port). */
  port: number;
  host: string;
  /** Pipeline of the telephony endpoint and of pages that do not pick one (default cascaded). */
  defaultMode?: PipelineMode;
  print?: (line: string) => void;
  /** Called with every call as it connects (tests use it to read the call's log). */
  onCall?: (call: BrowserCall | PhoneCall) => void;
}

export interface AgentServer {
  /** `http://host:port` */
  readonly url: string;
  /** `ws://host:port/telephony` */
  readonly telephonyUrl: string;
  readonly port: number;
  /** Calls in progress (browser and telephony). */
  readonly activeCalls: number;
  /** Ends every call and stops the server. Idempotent. */
  close(): Promise<void>;
}

const STATIC: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/mic-worklet.js': { file: 'mic-worklet.js', type: 'text/javascript; charset=utf-8' },
};
const PUBLIC_DIR = new URL('../public/', import.meta.url);

function modeFrom(url: URL, fallback: PipelineMode): PipelineMode | undefined {
  const mode = url.searchParams.get('mode') ?? fallback;
  return mode === 'cascaded' || mode === 'realtime' ? mode : undefined;
}

/**
 * The agent over HTTP: `GET /` is a page to talk to it with the browser's microphone
 * (WebSocket `/browser`), and `/telephony` is a Twilio-compatible media-stream WebSocket
 * (8 kHz µ-law) for phone calls. Plain `node:http` + `ws`.
 */
export async function startAgentServer(options: AgentServerOptions): Promise<AgentServer> {
  const print = options.print ?? (() => {});
  const defaultMode = options.defaultMode ?? 'cascaded';
  const calls = new Set<{ close(): Promise<void> }>();
  const sockets = new Set<Duplex>();

  const server = createServer((req, res) => void serveStatic(req, res));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const mode = modeFrom(url, defaultMode);
    if ((url.pathname !== '/browser' && url.pathname !== '/telephony') || mode === undefined) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const call =
        url.pathname === '/browser'
          ? new BrowserCall(ws, { backend: options.backend, mode, print })
          : new PhoneCall(ws, { backend: options.backend, mode, print });
      calls.add(call);
      ws.on('close', () => calls.delete(call));
      options.onCall?.(call);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    telephonyUrl: `ws://${host}:${port}/telephony`,
    port,
    get activeCalls() {
      return calls.size;
    },
    close() {
      closing ??= (async () => {
        await Promise.all([...calls].map((call) => call.close()));
        for (const client of wss.clients) client.terminate();
        wss.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          for (const socket of sockets) socket.destroy();
        });
      })();
      return closing;
    },
  };
}

async function serveStatic(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/health') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    return;
  }
  const entry = STATIC[url.pathname];
  if (!entry || (req.method !== 'GET' && req.method !== 'HEAD')) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  try {
    const body = await readFile(new URL(entry.file, PUBLIC_DIR));
    res.writeHead(200, { 'content-type': entry.type, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch {
    res.writeHead(500, { 'content-type': 'text/plain' }).end('page missing');
  }
}
