import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { handleChatCompletions } from '../chat/handler.js';
import { handleRealtimeConnection } from '../realtime/handler.js';
import { createSttEndpoint } from '../stt/handler.js';
import { createTtsEndpoint } from '../tts/handler.js';
import { AuthService } from './auth.js';
import { handleClientSecrets } from './client-secrets.js';
import { WsSimConnection } from './connection.js';
import type { ResolvedOptions, ServerContext, WsEndpoint } from './context.js';
import { refuseUpgrade, writeHttpError } from './errors.js';
import { FaultError, FaultRegistry, handshakeFault, handshakeHeaders, parseFaultFlag } from './faults.js';
import { faultMessage } from './errors.js';
import { loggedHeaders, queryRecord } from './http.js';
import { MemoryLog } from './log.js';
import type { ConnectionRecord, Endpoint, Fault, Simulator, SimulatorOptions } from './types.js';

function resolveOptions(options: SimulatorOptions): ResolvedOptions {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`startSimulator: port must be an integer 0–65535, got ${String(options.port)}`);
  }
  const nonNegative = (name: string, value: number | undefined, fallback: number): number => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new RangeError(
        `startSimulator: ${name} must be a non-negative number of ms, got ${String(value)}`,
      );
    }
    return value;
  };
  if (options.apiKeys !== undefined && !Array.isArray(options.apiKeys)) {
    throw new TypeError('startSimulator: apiKeys must be an array of strings');
  }
  const tts = options.ttsChunkDelayMs;
  if (options.logAudioPayloads !== undefined && typeof options.logAudioPayloads !== 'boolean') {
    throw new TypeError(
      `startSimulator: logAudioPayloads must be true or false, got ${String(options.logAudioPayloads)}`,
    );
  }
  const maxLoggedEvents = options.maxLoggedEvents ?? Number.POSITIVE_INFINITY;
  if (
    maxLoggedEvents !== Number.POSITIVE_INFINITY &&
    (!Number.isInteger(maxLoggedEvents) || maxLoggedEvents < 0)
  ) {
    throw new RangeError(
      `startSimulator: maxLoggedEvents must be a non-negative integer, got ${String(options.maxLoggedEvents)}`,
    );
  }
  return {
    port,
    host: options.host ?? '127.0.0.1',
    apiKeys: options.apiKeys ? [...options.apiKeys] : undefined,
    sttReadyDelayMs: nonNegative('sttReadyDelayMs', options.sttReadyDelayMs, 2),
    chatChunkDelayMs: nonNegative('chatChunkDelayMs', options.chatChunkDelayMs, 0),
    chatSplitToolArguments: options.chatSplitToolArguments ?? false,
    chatModels: options.chatModels ? [...options.chatModels] : [],
    ttsChunkDelayMs: tts === 'realtime' ? 'realtime' : nonNegative('ttsChunkDelayMs', tts, 0),
    now: options.now ?? Date.now,
    logAudioPayloads: options.logAudioPayloads ?? true,
    maxLoggedEvents,
  };
}

function pathOf(url: string | undefined): { path: string; query: URLSearchParams } {
  const parsed = new URL(url ?? '/', 'http://simulator.local');
  const path = parsed.pathname.length > 1 ? parsed.pathname.replace(/\/+$/, '') : parsed.pathname;
  return { path, query: parsed.searchParams };
}

class SimulatorServer implements Simulator {
  readonly log = new MemoryLog();
  private readonly faults = new FaultRegistry();
  private readonly server = createServer();
  private readonly wss: WebSocketServer;
  private readonly sockets = new Set<Socket>();
  private readonly connections = new Set<WsSimConnection>();
  private readonly cleanups = new Set<() => void>();
  private readonly context: ServerContext;
  private readonly wsEndpoints: Record<Exclude<Endpoint, 'chat'>, WsEndpoint>;
  private counter = 0;
  private closing: Promise<void> | undefined;
  port = 0;

  constructor(
    private readonly options: ResolvedOptions,
    overrides: Partial<Record<Exclude<Endpoint, 'chat'>, WsEndpoint>> = {},
  ) {
    const auth = new AuthService(options.apiKeys, options.now);
    this.context = {
      options,
      log: this.log,
      faults: this.faults,
      auth,
      openChatStreams: 0,
      nextId: (prefix) => `${prefix}${(++this.counter).toString(36).padStart(6, '0')}`,
      onClose: (cleanup) => {
        this.cleanups.add(cleanup);
        return () => this.cleanups.delete(cleanup);
      },
    };
    this.wsEndpoints = {
      stt: createSttEndpoint(this.context),
      tts: createTtsEndpoint(this.context),
      realtime: { handle: handleRealtimeConnection },
      ...overrides,
    };
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      handleProtocols: (protocols) => {
        // Browsers fail the handshake unless the server echoes one offered subprotocol.
        for (const p of protocols) if (p.startsWith('xai-client-secret.')) return p;
        return false;
      },
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.server.on('request', (req, res) => this.onRequest(req, res));
    this.server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
    this.server.on('clientError', (_error, socket) => socket.destroy());
  }

  get host(): string {
    return this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
  }

  get httpUrl(): string {
    return `http://${this.host}:${this.port}/v1`;
  }

  get wsUrl(): string {
    return `ws://${this.host}:${this.port}/v1`;
  }

  get openChatStreams(): number {
    return this.context.openChatStreams;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.server.once('error', onError);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', onError);
        const address = this.server.address();
        this.port = typeof address === 'object' && address ? address.port : this.options.port;
        resolve();
      });
    });
  }

  injectFault(endpoint: Endpoint, fault: Fault, options?: { times?: number }): void {
    this.faults.inject(endpoint, fault, options?.times ?? 1);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.faults.clear();
    for (const cleanup of [...this.cleanups]) cleanup();
    this.cleanups.clear();
    const closed = [...this.connections].map((c) => c.whenClosed);
    for (const connection of this.connections) connection.terminate();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
    await Promise.all(closed);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const { path } = pathOf(req.url);
    res.setHeader('x-request-id', this.context.nextId('sim-req-'));
    if (path === '/v1/chat/completions') {
      if (req.method !== 'POST') {
        this.methodNotAllowed(res, 'POST');
        return;
      }
      void handleChatCompletions(req, res, this.context).catch((error: unknown) => {
        writeHttpError(res, { status: 500, message: `Simulator error: ${String(error)}` });
      });
      return;
    }
    if (path === '/v1/realtime/client_secrets') {
      if (req.method !== 'POST') {
        this.methodNotAllowed(res, 'POST');
        return;
      }
      void handleClientSecrets(req, res, this.context).catch((error: unknown) => {
        writeHttpError(res, { status: 500, message: `Simulator error: ${String(error)}` });
      });
      return;
    }
    writeHttpError(res, { status: 404, message: `No such endpoint: ${req.method} ${path}` });
  }

  private methodNotAllowed(res: ServerResponse, allowed: string): void {
    writeHttpError(res, {
      status: 405,
      message: `Method not allowed; use ${allowed}`,
      headers: { allow: allowed },
    });
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => {});
    const { path, query } = pathOf(req.url);
    const name = path.replace(/^\/v1\//, '');
    if (!path.startsWith('/v1/') || !(name === 'stt' || name === 'tts' || name === 'realtime')) {
      refuseUpgrade(socket, { status: 404, message: `No WebSocket endpoint at ${path}` });
      return;
    }
    const endpoint = name;
    const record: ConnectionRecord = {
      id: this.context.nextId(`${endpoint}-`),
      endpoint,
      url: req.url ?? path,
      query: queryRecord(query),
      headers: loggedHeaders(req.headers),
      accepted: false,
      clientEvents: [],
      droppedClientEvents: 0,
      audioBytesReceived: 0,
      openedAt: Date.now(),
      faults: [],
    };
    this.log.connections.push(record);
    const refuse = (status: number, message: string, headers?: Record<string, string>): void => {
      record.refusedStatus = status;
      record.closedAt = Date.now();
      refuseUpgrade(socket, headers ? { status, message, headers } : { status, message });
    };

    let faults: Fault[];
    try {
      faults = [...this.faults.take(endpoint), ...parseFaultFlag(query.get('sim_fault'))];
    } catch (error) {
      refuse(400, error instanceof FaultError ? error.message : String(error));
      return;
    }
    record.faults = faults;
    const handshake = handshakeFault(faults);
    if (handshake) {
      refuse(handshake.status, faultMessage(handshake.status), handshakeHeaders(handshake));
      return;
    }
    const auth = this.context.auth.authenticateUpgrade(req.headers);
    if (!auth.ok) {
      refuse(auth.error.status, auth.error.message, auth.error.headers);
      return;
    }
    record.auth = auth.method;
    const invalid = this.wsEndpoints[endpoint].validate?.(query);
    if (invalid !== undefined) {
      refuse(400, invalid);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      record.accepted = true;
      const connection = new WsSimConnection(ws, socket, record, query, faults, {
        audioPayloads: this.options.logAudioPayloads,
        maxEvents: this.options.maxLoggedEvents,
      });
      this.connections.add(connection);
      void connection.whenClosed.then(() => this.connections.delete(connection));
      try {
        this.wsEndpoints[endpoint].handle(connection);
      } catch (error) {
        connection.sendJson({ type: 'error', message: `Simulator error: ${String(error)}` });
        connection.close(1011, 'simulator error');
      }
      connection.start();
    });
  }
}

/** Starts the simulator in this process, listening on loopback (a free port by default). */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulatorWith(options);
}

/** Internal (tests): starts a simulator whose WebSocket endpoints may be replaced. */
export async function startSimulatorWith(
  options: SimulatorOptions,
  endpoints: Partial<Record<Exclude<Endpoint, 'chat'>, WsEndpoint>> = {},
): Promise<Simulator> {
  const server = new SimulatorServer(resolveOptions(options), endpoints);
  await server.listen();
  return server;
}
