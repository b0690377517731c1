import type { Duplex } from 'node:stream';
import { type RawData, WebSocket } from 'ws';
import { OutboundQueue, type OutboundSink } from './outbound.js';
import type { ConnectionRecord, Endpoint, Fault, SimConnection } from './types.js';

let unknownEventCounter = 0;

/** What a connection keeps of the client's text frames (from `SimulatorOptions`). */
export interface ClientEventLogOptions {
  /** Keep the base64 `audio` of realtime `input_audio_buffer.append` events. */
  audioPayloads: boolean;
  /** Most events kept (`Infinity`: all). */
  maxEvents: number;
}

const LOG_EVERYTHING: ClientEventLogOptions = { audioPayloads: true, maxEvents: Number.POSITIVE_INFINITY };

function rawToBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

/**
 * The `SimConnection` every accepted WebSocket is wrapped in. Faults live here (through
 * `OutboundQueue`), so endpoint handlers just send events.
 */
export class WsSimConnection implements SimConnection {
  readonly id: string;
  readonly endpoint: Exclude<Endpoint, 'chat'>;
  readonly query: URLSearchParams;
  readonly record: ConnectionRecord;
  private readonly outbound: OutboundQueue;
  private readonly textHandlers: Array<(text: string) => void> = [];
  private readonly binaryHandlers: Array<(bytes: Uint8Array) => void> = [];
  private readonly closeHandlers: Array<() => void> = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;
  readonly whenClosed: Promise<void>;

  constructor(
    private readonly ws: WebSocket,
    socket: Duplex,
    record: ConnectionRecord,
    query: URLSearchParams,
    faults: readonly Fault[],
    private readonly logOptions: ClientEventLogOptions = LOG_EVERYTHING,
  ) {
    this.id = record.id;
    this.endpoint = record.endpoint;
    this.record = record;
    this.query = query;
    const sink: OutboundSink = {
      write: (item, done) => {
        if (ws.readyState !== WebSocket.OPEN) {
          done();
          return;
        }
        ws.send(item.data, { binary: item.kind === 'binary' }, () => done());
      },
      destroy: () => {
        record.dropped = true;
        socket.destroy();
      },
      malformed: () => '{"type":"sim.malformed","oops": [unterminated',
      unknownEvent: () =>
        JSON.stringify({
          type: 'sim.unknown_event',
          event_id: `sim_evt_${++unknownEventCounter}`,
          note: 'an event type clients do not know; they must ignore it',
        }),
      huge: (bytes) => hugeJson(bytes),
    };
    this.outbound = new OutboundQueue(faults, sink);
    this.whenClosed = new Promise((resolve) => {
      ws.once('close', () => {
        this.closed = true;
        record.closedAt = Date.now();
        this.outbound.dispose();
        for (const t of this.timers) clearTimeout(t);
        this.timers.clear();
        for (const handler of this.closeHandlers) {
          try {
            handler();
          } catch {
            // a handler's bug must not take the server down
          }
        }
        resolve();
      });
    });
    ws.on('error', () => {
      // e.g. a client sending an invalid frame; ws closes the socket, 'close' follows.
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        const bytes = rawToBytes(data);
        record.audioBytesReceived += bytes.byteLength;
        for (const handler of this.binaryHandlers) handler(bytes);
        return;
      }
      const text = rawToBytes(data);
      const str = Buffer.from(text.buffer, text.byteOffset, text.byteLength).toString('utf8');
      this.logText(str);
      for (const handler of this.textHandlers) handler(str);
    });
  }

  /** Starts sending (and the faults set to fire at the start). */
  start(): void {
    this.outbound.start();
  }

  get open(): boolean {
    return !this.closed && this.ws.readyState === WebSocket.OPEN && !this.outbound.wasDropped;
  }

  sendJson(event: Record<string, unknown>): void {
    this.outbound.push({ kind: 'text', data: JSON.stringify(event) });
  }

  sendBinary(bytes: Uint8Array): void {
    this.outbound.push({ kind: 'binary', data: bytes });
  }

  close(code = 1000, reason = ''): void {
    this.outbound.push({
      kind: 'end',
      run: () => {
        if (this.ws.readyState === WebSocket.OPEN) this.ws.close(code, reason);
      },
    });
  }

  /** Ends the connection at once (used when the simulator shuts down). */
  terminate(): void {
    this.outbound.dispose();
    this.ws.terminate();
  }

  onText(handler: (text: string) => void): void {
    this.textHandlers.push(handler);
  }

  onBinary(handler: (bytes: Uint8Array) => void): void {
    this.binaryHandlers.push(handler);
  }

  onClose(handler: () => void): void {
    if (this.closed) handler();
    else this.closeHandlers.push(handler);
  }

  schedule(fn: () => void, ms: number): () => void {
    if (this.closed) return () => {};
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
    return () => {
      clearTimeout(t);
      this.timers.delete(t);
    };
  }

  discardPending(): void {
    this.outbound.discardPending((item) => item.kind !== 'end');
  }

  private logText(text: string): void {
    let event: unknown;
    try {
      event = JSON.parse(text);
    } catch {
      this.logEvent({ raw: text });
      return;
    }
    if (
      this.endpoint === 'realtime' &&
      typeof event === 'object' &&
      event !== null &&
      (event as { type?: unknown }).type === 'input_audio_buffer.append'
    ) {
      const { audio, ...rest } = event as { audio?: unknown };
      if (typeof audio === 'string') {
        const audioBytes = Buffer.byteLength(audio, 'base64');
        this.record.audioBytesReceived += audioBytes;
        if (!this.logOptions.audioPayloads) event = { ...rest, audioBytes };
      }
    }
    this.logEvent(event);
  }

  private logEvent(event: unknown): void {
    const events = this.record.clientEvents;
    const max = this.logOptions.maxEvents;
    if (max === 0) {
      this.record.droppedClientEvents += 1;
      return;
    }
    events.push(event);
    if (events.length > max) {
      events.shift();
      this.record.droppedClientEvents += 1;
    }
  }
}

/** A JSON event of about `bytes` bytes that clients must tolerate (or reject by size). */
export function hugeJson(bytes: number): string {
  const head = '{"type":"sim.huge","padding":"';
  const tail = '"}';
  return head + 'x'.repeat(Math.max(0, bytes - head.length - tail.length)) + tail;
}
